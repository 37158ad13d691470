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
  /** The caller's own reference from the send request, echoed in the status events. */
  correlationId?: string;
  /** The mailbox the message is in (the authorised user's): where its status is read. */
  extensionId?: string;
  /** RingCentral's status in its answer to the send (usually `Queued`). */
  messageStatus?: string;
  /** When RingCentral accepted it (ISO 8601). */
  sentAt?: string;
}

/** The record of sent messages and their briefly cached status. */
export interface SentMessageLedger {
  /**
   * Records the sender of a message and, unless its status is final, starts watching its status
   * (lib/sending/status-watch.ts); the first record of an id stays.
   */
  recordSender(entry: SentMessageEntry): Promise<void>;
  /** The sender of `messageId`, or `undefined` when this API did not send it (or forgot it). */
  senderOf(messageId: string): Promise<SentMessageEntry | undefined>;
  /** The status cached for `messageId` within the last `cacheSeconds`, if any. */
  cachedStatus(messageId: string): Promise<MessageStatusView | undefined>;
  /** Caches `status` for `ttlSeconds`. */
  cacheStatus(messageId: string, status: MessageStatusView, ttlSeconds: number): Promise<void>;
}

/** A sent message whose status is watched until it is final (lib/sending/status-watch.ts). */
export interface WatchedMessage {
  messageId: string;
  /** The mailbox it is in (`~`: the authorised user's, when RingCentral did not say). */
  extensionId: string;
  type: SentMessageEntry['type'];
  caller: string;
  correlationId?: string;
  /** Epoch ms RingCentral accepted it. */
  sentAt: number;
  /** The status last published (at first: the one RingCentral answered the send with). */
  lastStatus: string;
  /** Scheduled polls made so far (reads asked for by a notification are not polls). */
  polls: number;
  /** Epoch ms the next poll is due. */
  nextPollAt: number;
  /** Epoch ms of the last read; 0 before the first. */
  lastReadAt: number;
}

/** The bookkeeping of one read of a watched message. */
export interface WatchRead {
  polls: number;
  nextPollAt: number;
  lastReadAt: number;
}

/** A status change of one watched message: from what was published to what was read. */
export interface StatusTransition {
  previous: string;
  next: string;
}

/** The watched messages and the checks notifications asked for (the state table in lib/aws). */
export interface StatusWatchStore {
  /** Every watched message, and per extension the epoch ms a notification last asked for a check. */
  snapshot(): Promise<{
    messages: WatchedMessage[];
    checkRequests: ReadonlyMap<string, number>;
  }>;
  /** Records that a notification said the extension's messages changed at `at` (epoch ms). */
  requestCheck(extensionId: string, at: number): Promise<void>;
  /**
   * Takes the one check slot for `spacingMs`: false while another run's slot is still held, so
   * runs are at least `spacingMs` apart whatever starts them.
   */
  takeCheckSlot(owner: string, spacingMs: number): Promise<boolean>;
  /**
   * Moves the last published status from `transition.previous` to `transition.next` with the
   * read's bookkeeping, on condition that it is still `previous`: false when another run (or an
   * earlier delivery of the same notification) published this change already.
   */
  claimTransition(
    messageId: string,
    transition: StatusTransition,
    read: WatchRead,
  ): Promise<boolean>;
  /** Undoes a claim whose event could not be published, so the next check publishes it. */
  releaseTransition(messageId: string, transition: StatusTransition): Promise<void>;
  /** Records a read that found no change (never recreates an ended watch). */
  markRead(messageId: string, read: WatchRead): Promise<void>;
  /** Stops watching the message. */
  end(messageId: string): Promise<void>;
}
