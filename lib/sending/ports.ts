/**
 * What the sending room needs from storage (lib/aws implements it on the state table): who sent
 * each message through this API, and a short-lived copy of its status.
 */
import type { MessageStatusView } from './message-status.ts';

/** Who sent a message through this API. */
export interface SentMessageEntry {
  messageId: string;
  /** The caller's principal (`callerPrincipal`): the only one who may read the message. */
  caller: string;
  type: 'SMS' | 'Pager' | 'Fax';
}

/** The record of sent messages and their briefly cached status. */
export interface SentMessageLedger {
  /** Records the sender of a message; the first record of an id stays. */
  recordSender(entry: SentMessageEntry): Promise<void>;
  /** The sender of `messageId`, or `undefined` when this API did not send it (or forgot it). */
  senderOf(messageId: string): Promise<SentMessageEntry | undefined>;
  /** The status cached for `messageId` within the last `cacheSeconds`, if any. */
  cachedStatus(messageId: string): Promise<MessageStatusView | undefined>;
  /** Caches `status` for `ttlSeconds`. */
  cacheStatus(messageId: string, status: MessageStatusView, ttlSeconds: number): Promise<void>;
}
