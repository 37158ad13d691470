/**
 * What high-volume SMS needs from storage (lib/aws implements it on the state table): who sent
 * each batch through this API, so that only they may read its progress, and a short-lived copy of
 * each page of progress read.
 */
import type { BatchStatusView } from './batch-status.ts';

/** Who sent a batch through this API. */
export interface SentBatchEntry {
  batchId: string;
  /** The caller's principal (`callerPrincipal`): the only one who may read the batch. */
  caller: string;
}

/** The record of sent batches. */
export interface SentBatchLedger {
  /** Records the sender of a batch; the first record of an id stays. */
  recordSender(entry: SentBatchEntry): Promise<void>;
  /** The sender of `batchId`, or `undefined` when this API did not send it (or forgot it). */
  senderOf(batchId: string): Promise<SentBatchEntry | undefined>;
  /** The view of `page` (its page token and size, as the caller asked) cached and still fresh. */
  cachedView(batchId: string, page: string): Promise<BatchStatusView | undefined>;
  /** Caches the view of `page` for `ttlSeconds`. */
  cacheView(
    batchId: string,
    page: string,
    view: BatchStatusView,
    ttlSeconds: number,
  ): Promise<void>;
}
