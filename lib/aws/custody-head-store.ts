/**
 * The custody chains' head pointers on the state table: one item per account under
 * `pk = custody#{accountId}`, `sk = head`, whose item version is the head's sequence, so moving
 * the head is the state table's conditional put on that version (custody-ports.ts says why).
 */
import type { CustodyHead, CustodyHeadStore } from '../archive/custody-ports.ts';
import type { StateTable } from './state-table.ts';

/** Partition key of an account's custody head. */
export const custodyHeadPartition = (accountId: string): string => `custody#${accountId}`;
const HEAD_SORT_KEY = 'head';

type StoredHead = Pick<CustodyHead, 'key' | 'sha256'>;

/** Creates the CustodyHeadStore on the state table. */
export function createCustodyHeadStore(table: Pick<StateTable, 'get' | 'put'>): CustodyHeadStore {
  return {
    async get(accountId) {
      const stored = await table.get<StoredHead>(custodyHeadPartition(accountId), HEAD_SORT_KEY);
      if (!stored) return undefined;
      return { accountId, sequence: stored.version, key: stored.key, sha256: stored.sha256 };
    },
    advance(next) {
      const value: StoredHead = { key: next.key, sha256: next.sha256 };
      return table.put(
        custodyHeadPartition(next.accountId),
        HEAD_SORT_KEY,
        value,
        next.sequence - 1,
      );
    },
  };
}
