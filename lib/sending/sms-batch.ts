/**
 * Sending many SMS in one RingCentral request (high-volume SMS): recipients opted out from the
 * sender are dropped before the batch is made, so nothing is ever sent to them, and every
 * recipient not sent to is reported by its position in the caller's list.
 */
import {
  type A2pBatch,
  type A2pBatchMessage,
  type A2pSmsApi,
  type CallOptions,
  nonEmpty,
} from '../ringcentral/index.ts';

/** One recipient of a batch, as the caller listed it. */
export interface BatchRecipient {
  to: string;
  /** This recipient's own text; else the batch's. */
  text?: string;
}

/** A batch to send: one text for all, or a text per recipient. */
export interface SmsBatchOrder {
  from: string;
  text?: string;
  recipients: readonly BatchRecipient[];
}

/** A recipient not sent to. `index` is its position in the caller's list. */
export interface RefusedRecipient {
  index: number;
  to: string;
  /** `OptedOut`: on the sender's opt-out list, never sent; `Rejected`: RingCentral refused it. */
  reason: 'OptedOut' | 'Rejected';
  errorCode?: string;
}

/** What a sent batch gives the caller. */
export interface SentBatch {
  batch: A2pBatch;
  refused: RefusedRecipient[];
}

/** Every recipient has opted out from the sender: there is nothing to send. */
export class NoRecipientLeftError extends Error {
  override name = 'NoRecipientLeftError';
  readonly refused: RefusedRecipient[];
  constructor(refused: RefusedRecipient[]) {
    super('Every recipient has opted out from this sender; nothing was sent');
    this.refused = refused;
  }
}

/**
 * Sends the order as one A2P batch: the sender's opt-out list first (Light, one request per
 * 1,000 opted-out numbers), then one `createBatch` with the remaining recipients.
 */
export async function sendSmsBatch(
  a2p: Pick<A2pSmsApi, 'createBatch' | 'optedOutNumbers'>,
  order: SmsBatchOrder,
  options: CallOptions,
): Promise<SentBatch> {
  const optedOut = await a2p.optedOutNumbers(order.from, options);
  const refused: RefusedRecipient[] = [];
  /** The caller's index of each message sent, by its position in the batch. */
  const sentIndexes: number[] = [];
  const messages: A2pBatchMessage[] = [];
  order.recipients.forEach((recipient, index) => {
    if (optedOut.has(recipient.to)) {
      refused.push({ index, to: recipient.to, reason: 'OptedOut' });
      return;
    }
    sentIndexes.push(index);
    messages.push(
      recipient.text === undefined
        ? { to: recipient.to }
        : { to: recipient.to, text: recipient.text },
    );
  });
  if (messages.length === 0) throw new NoRecipientLeftError(refused);
  const batch = await a2p.createBatch(
    {
      from: order.from,
      ...(order.text === undefined ? {} : { text: order.text }),
      messages: nonEmpty(messages, 'recipients'),
    },
    options,
  );
  for (const rejected of batch.rejected ?? []) {
    const index = rejected.index === undefined ? undefined : sentIndexes[rejected.index];
    if (index === undefined) continue;
    refused.push({
      index,
      to: order.recipients[index]?.to ?? '',
      reason: 'Rejected',
      ...(rejected.errorCode === undefined ? {} : { errorCode: rejected.errorCode }),
    });
  }
  refused.sort((left, right) => left.index - right.index);
  return { batch, refused };
}
