/**
 * High-volume SMS's ledger on the state table: per batch id, under `pk = batch#<batchId>`,
 * `sk = sender`, who sent it, kept as long as callers may ask ({@link SENDER_TTL_SECONDS}).
 */
import type { SentBatchEntry, SentBatchLedger } from '../sending/batch-ports.ts';
import { SENDER_TTL_SECONDS } from './sent-message-ledger.ts';
import type { StateTable } from './state-table.ts';

const partition = (batchId: string): string => `batch#${batchId}`;

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
  };
}
