/**
 * High-volume SMS's ledger on the state table: per batch id, under `pk = batch#<batchId>`,
 * `sk = sender` (who sent it, kept as long as callers may ask, {@link SENDER_TTL_SECONDS}) and
 * `sk = view#<sha256 of the page asked for>` (a page of progress read, kept a few seconds).
 */
import { createHash } from 'node:crypto';
import type { SentBatchEntry, SentBatchLedger } from '../sending/batch-ports.ts';
import type { BatchStatusView } from '../sending/batch-status.ts';
import { SENDER_TTL_SECONDS } from './sent-message-ledger.ts';
import type { StateTable } from './state-table.ts';

/** The prefix of every batch's partition key (the stack's grants name it). */
export const BATCH_PARTITION_PREFIX = 'batch#';
const partition = (batchId: string): string => `${BATCH_PARTITION_PREFIX}${batchId}`;
/** A page token may be long: its hash keeps the sort key within DynamoDB's limit. */
const viewKey = (page: string): string =>
  `view#${createHash('sha256').update(page).digest('base64url')}`;

/** Creates the ledger on the state table. */
export function createSentBatchLedger(table: Pick<StateTable, 'get' | 'put'>): SentBatchLedger {
  return {
    recordSender: async (entry) => {
      // A lost race means the id is recorded already: RingCentral gives each batch one id.
      await table.put(partition(entry.batchId), 'sender', entry, 0, {
        ttlSeconds: SENDER_TTL_SECONDS,
      });
    },
    senderOf: async (batchId) => {
      const stored = await table.get<SentBatchEntry>(partition(batchId), 'sender');
      if (!stored) return undefined;
      return { batchId: String(stored.batchId), caller: stored.caller };
    },
    cachedView: async (batchId, page) => {
      const stored = await table.get<BatchStatusView>(partition(batchId), viewKey(page));
      if (!stored) return undefined;
      const { version: _version, ...view } = stored;
      return view;
    },
    cacheView: async (batchId, page, view, ttlSeconds) => {
      // Expired or absent: version 0 may write. A lost race means another reader cached it now.
      await table.put(partition(batchId), viewKey(page), view, 0, { ttlSeconds });
    },
  };
}
