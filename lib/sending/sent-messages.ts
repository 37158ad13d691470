/** Recording who sent each message, so that only they may read its status and learn its changes. */
import type { SentMessage } from '../ringcentral/index.ts';
import type { SentMessageEntry, SentMessageLedger } from './ports.ts';

/** `.../extension/{id}/message-store/...` in a record's uri: the mailbox it is in. */
const MAILBOX_IN_URI = /\/extension\/(\d+)\/message-store\//;

/**
 * The ledger entry of a message RingCentral accepted: the caller, its correlation id, and where
 * and in which status the message is, for the status watch.
 */
export function sentMessageEntry(
  sent: SentMessage,
  sender: Pick<SentMessageEntry, 'caller' | 'type' | 'correlationId'>,
): SentMessageEntry {
  const extensionId = sent.extensionId ?? MAILBOX_IN_URI.exec(sent.uri ?? '')?.[1];
  return {
    messageId: sent.id,
    caller: sender.caller,
    type: sender.type,
    ...(sender.correlationId === undefined ? {} : { correlationId: sender.correlationId }),
    ...(extensionId === undefined ? {} : { extensionId }),
    ...(sent.messageStatus === undefined ? {} : { messageStatus: sent.messageStatus }),
    ...(sent.creationTime === undefined ? {} : { sentAt: sent.creationTime }),
  };
}

/**
 * Records the sender of a message RingCentral accepted. A failure does not fail the send (the
 * message is on its way, and the caller must get its 202 and id); it is told to `onFailure`, and
 * that caller then cannot read the message's status nor get its status events.
 */
export async function recordSent(
  ledger: SentMessageLedger,
  entry: SentMessageEntry,
  onFailure: (error: unknown) => void,
): Promise<void> {
  try {
    await ledger.recordSender(entry);
  } catch (error) {
    onFailure(error);
  }
}
