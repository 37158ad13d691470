/** Recording who sent each message, so that only they may read its status. */
import type { SentMessageEntry, SentMessageLedger } from './ports.ts';

/**
 * Records the sender of a message RingCentral accepted. A failure does not fail the send (the
 * message is on its way, and the caller must get its 202 and id); it is told to `onFailure`, and
 * that caller then cannot read the message's status.
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
