/**
 * A sent batch's progress and a page of its per-recipient results, for the caller that sent it:
 * two Light requests to RingCentral (the batch, a page of its messages).
 */
import type { A2pBatch, A2pMessage, A2pSmsApi, CallOptions } from '../ringcentral/index.ts';
import type { SentBatchLedger } from './batch-ports.ts';

/** One recipient's result. */
export interface RecipientResult {
  messageId: string;
  to?: string;
  messageStatus?: string;
  errorCode?: string;
  lastModifiedTime?: string;
}

/** What `GET /sms/batches/{id}` answers. */
export interface BatchStatusView {
  id: string;
  status?: string;
  from?: string;
  batchSize?: number;
  processedCount?: number;
  creationTime?: string;
  lastModifiedTime?: string;
  recipients: RecipientResult[];
  nextPageToken?: string;
}

/** Which page of results to read. */
export interface ResultPage {
  pageToken?: string;
  perPage?: number;
}

/**
 * The batch is not one this caller sent through this API (or it was never sent): answered as
 * absent, so that a caller learns nothing about other callers' batches.
 */
export class BatchNotFoundError extends Error {
  override name = 'BatchNotFoundError';
  readonly batchId: string;
  constructor(batchId: string) {
    super(`No batch ${batchId} sent by this caller`);
    this.batchId = batchId;
  }
}

/** `value` without its undefined fields. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

function resultOf(message: A2pMessage): RecipientResult {
  return defined({
    messageId: message.id,
    to: message.to?.[0],
    messageStatus: message.messageStatus,
    errorCode: message.errorCode,
    lastModifiedTime: message.lastModifiedTime,
  });
}

function viewOf(batch: A2pBatch, messages: A2pMessage[], nextPageToken?: string): BatchStatusView {
  return defined({
    id: batch.id,
    status: batch.status,
    from: batch.from,
    batchSize: batch.batchSize,
    processedCount: batch.processedCount,
    creationTime: batch.creationTime,
    lastModifiedTime: batch.lastModifiedTime,
    recipients: messages.map(resultOf),
    nextPageToken,
  });
}

/** The batch's progress and one page of results, if `caller` sent it; else {@link BatchNotFoundError}. */
export async function readBatchStatus(
  context: {
    ledger: SentBatchLedger;
    caller: string;
    batchId: string;
    page: ResultPage;
    a2p: () => Promise<Pick<A2pSmsApi, 'getBatch' | 'messagePage'>>;
  },
  options: CallOptions,
): Promise<BatchStatusView> {
  const { batchId, page } = context;
  const sender = await context.ledger.senderOf(batchId);
  if (sender?.caller !== context.caller) throw new BatchNotFoundError(batchId);
  const a2p = await context.a2p();
  const [batch, messages] = await Promise.all([
    a2p.getBatch(batchId, options),
    a2p.messagePage({ batchId, ...page }, options),
  ]);
  return viewOf(batch, messages.records, messages.paging?.nextPageToken);
}
