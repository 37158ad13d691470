/**
 * The account-wide export's cursor on the state table: one item, `pk = cursor#export`,
 * `sk = account`, written by a conditional put on its version. archive-export runs one at a time
 * (reserved concurrency 1); a lost race still fails loudly instead of moving the cursor twice.
 */
import type { ExportCursor, ExportCursorStore } from '../extensions/account-export.ts';
import type { StateTable } from './state-table.ts';

/** Partition and sort key of the export cursor. */
export const EXPORT_CURSOR_PARTITION = 'cursor#export';
export const EXPORT_CURSOR_SORT_KEY = 'account';

/** Another writer moved the export cursor since this run read it. */
export class ExportCursorConflictError extends Error {
  override readonly name = 'ExportCursorConflictError';
  constructor(expectedVersion: number, options?: { cause?: unknown }) {
    super(`The export cursor moved since version ${expectedVersion}`, options);
  }
}

/** Creates the ExportCursorStore on the state table. */
export function createExportCursorStore(table: Pick<StateTable, 'get' | 'put'>): ExportCursorStore {
  let version = 0;
  return {
    load: async () => {
      const stored = await table.get<ExportCursor>(EXPORT_CURSOR_PARTITION, EXPORT_CURSOR_SORT_KEY);
      version = stored?.version ?? 0;
      if (!stored) return {};
      const cursor: ExportCursor = {};
      if (stored.coveredThrough) cursor.coveredThrough = stored.coveredThrough;
      if (stored.pending) cursor.pending = stored.pending;
      return cursor;
    },
    save: async (cursor) => {
      const written = await table.put(
        EXPORT_CURSOR_PARTITION,
        EXPORT_CURSOR_SORT_KEY,
        cursor,
        version,
      );
      if (!written) throw new ExportCursorConflictError(version);
      version += 1;
    },
  };
}
