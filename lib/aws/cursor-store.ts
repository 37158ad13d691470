/**
 * The archive's sync cursors on the state table: one item per configured extension under
 * `pk = cursor#archive`, `sk = <extension>`, written only by a conditional put on its version.
 */
import type { ArchiveCursor, CursorAdvance, CursorStore } from '../archive/ports.ts';
import { CursorConflictError } from '../archive/ports.ts';
import type { StateTable } from './state-table.ts';

/** Partition key of the archive cursors. */
export const ARCHIVE_CURSOR_PARTITION = 'cursor#archive';

type StoredCursor = Omit<ArchiveCursor, 'extension' | 'version'>;

/** Creates the CursorStore on the state table. */
export function createCursorStore(table: Pick<StateTable, 'get' | 'put'>): CursorStore {
  return {
    get: async (extension) => {
      const stored = await table.get<StoredCursor>(ARCHIVE_CURSOR_PARTITION, extension);
      if (!stored) return { extension, version: 0 };
      const cursor: ArchiveCursor = { extension, version: stored.version };
      if (stored.syncToken) cursor.syncToken = stored.syncToken;
      if (stored.syncTime) cursor.syncTime = stored.syncTime;
      if (stored.accountId) cursor.accountId = String(stored.accountId);
      if (stored.extensionId) cursor.extensionId = String(stored.extensionId);
      return cursor;
    },
    advance: async (extension, next: CursorAdvance, expectedVersion) => {
      const value: StoredCursor = {};
      if (next.syncToken !== undefined) value.syncToken = next.syncToken;
      if (next.syncTime !== undefined) value.syncTime = next.syncTime;
      if (next.accountId !== undefined) value.accountId = next.accountId;
      if (next.extensionId !== undefined) value.extensionId = next.extensionId;
      const written = await table.put(ARCHIVE_CURSOR_PARTITION, extension, value, expectedVersion);
      if (!written) throw new CursorConflictError(extension, expectedVersion);
      return { extension, ...value, version: expectedVersion + 1 };
    },
  };
}
