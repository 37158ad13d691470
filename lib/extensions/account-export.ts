/**
 * The account-wide archive's bulk path: one message-store export covers every extension of the
 * account (Heavy group: a create, a few polls, the archive list and the zips per run), read by the
 * backfill's export path (lib/backfill) into the same objects through the same record archiver
 * as the per-extension sync, so both paths write the same bytes for the same message.
 *
 * Its cursor (the state table) holds the time range already covered and the range in progress
 * with the backfill's checkpoint, so a run cut short by its deadline resumes the same task. A
 * complete run moves the cursor and every archived extension's `exportedThrough`: the lag and
 * its alarm count from it, and the per-extension sync that follows (deletions, read status,
 * stragglers) finds the content stored and spends Light requests only.
 */
import type { CustodyOptions } from '../archive/custody-ledger.ts';
import type { LocatorStore, ObjectStore } from '../archive/ports.ts';
import type { BackfillCheckpoint, BackfillCheckpointStore } from '../backfill/checkpoint.ts';
import {
  type BackfillOptions,
  type BackfillResult,
  type BackfillRingCentral,
  ExportUnavailableError,
  runBackfill,
} from '../backfill/run.ts';
import { AbortedError } from '../ringcentral/index.ts';
import type { ExtensionEntry, ExtensionRegistry } from './ports.ts';
import { isArchivedAndPresent } from './schedule.ts';

/** A time range of message creation times (ISO). */
export interface ExportRange {
  dateFrom: string;
  dateTo: string;
}

/** The export's cursor: what is covered, and the run in progress. */
export interface ExportCursor {
  /** ISO time through which every message of the account is archived by the export. */
  coveredThrough?: string;
  /** The range a run started and has not finished, with its backfill checkpoint. */
  pending?: ExportRange & { checkpoint?: BackfillCheckpoint };
}

/** Where the export keeps its cursor (the state table: lib/aws/export-cursor-store.ts). */
export interface ExportCursorStore {
  load(): Promise<ExportCursor>;
  save(cursor: ExportCursor): Promise<void>;
}

/** Defaults of the export's timing. */
export const EXPORT_DEFAULTS = {
  /** Each range starts this far before the last one ended: late-listed messages are caught. */
  overlapMinutes: 10,
  /** A range ends this far before now: messages still being written are left to the next. */
  settleMinutes: 1,
  /** Longest pause between task polls. */
  pollIntervalMs: 10_000,
} as const;

/** What a run works with. */
export interface AccountExportDependencies {
  ringCentral: BackfillRingCentral;
  objects: ObjectStore;
  locators: LocatorStore;
  registry: Pick<ExtensionRegistry, 'list' | 'markExported'>;
  cursor: ExportCursorStore;
  custody?: CustodyOptions;
}

/** Options of one run. */
export interface AccountExportOptions {
  /** ISO date the first range starts at (the archive's start date). */
  startDate: string;
  /** The clock the range is cut by. */
  now: () => number;
  /** Epoch ms (wall clock, as every deadline) by which the run stops at a checkpoint. */
  deadline: number;
  signal?: AbortSignal;
  overlapMinutes?: number;
  settleMinutes?: number;
  pollIntervalMs?: number;
}

/** What a run did. */
export interface AccountExportResult {
  range: ExportRange;
  /** Every message of the range is archived; the cursor and the extensions moved. */
  complete: boolean;
  /** Archived extensions whose `exportedThrough` moved to the range's end. */
  extensionsMarked: number;
  /** The backfill's counters; undefined when the run stopped before the task completed. */
  backfill: (Omit<BackfillResult, 'failures'> & { failures: number }) | undefined;
}

/**
 * The backfill, or undefined when it stopped at the deadline (waiting for the task, or between
 * archives): the pending range and its checkpoint carry the work to the next run. An export
 * RingCentral refuses or a task that failed is thrown: that is an error to alarm on.
 */
async function exportOrStop(options: BackfillOptions): Promise<BackfillResult | undefined> {
  try {
    return await runBackfill(options);
  } catch (error) {
    if (error instanceof AbortedError) return undefined;
    if (error instanceof ExportUnavailableError && error.cause === undefined) return undefined;
    throw error;
  }
}

/** The next range: from the covered time (less the overlap) to now (less the settle time). */
export function nextRange(cursor: ExportCursor, options: AccountExportOptions): ExportRange {
  if (cursor.pending) return { dateFrom: cursor.pending.dateFrom, dateTo: cursor.pending.dateTo };
  const overlapMs = (options.overlapMinutes ?? EXPORT_DEFAULTS.overlapMinutes) * 60_000;
  const settleMs = (options.settleMinutes ?? EXPORT_DEFAULTS.settleMinutes) * 60_000;
  const start = Date.parse(options.startDate);
  const covered = cursor.coveredThrough ? Date.parse(cursor.coveredThrough) - overlapMs : start;
  const from = Math.max(start, covered);
  const to = Math.max(from + 1000, options.now() - settleMs);
  return { dateFrom: new Date(from).toISOString(), dateTo: new Date(to).toISOString() };
}

/** The backfill's checkpoint kept inside the export cursor's pending range. */
function pendingCheckpoints(
  store: ExportCursorStore,
  cursor: ExportCursor & { pending: ExportRange },
): BackfillCheckpointStore {
  return {
    load: async () => cursor.pending.checkpoint,
    save: async (checkpoint) => {
      cursor.pending = { ...cursor.pending, checkpoint };
      await store.save(cursor);
    },
    clear: async () => {
      cursor.pending = { dateFrom: cursor.pending.dateFrom, dateTo: cursor.pending.dateTo };
      await store.save(cursor);
    },
  };
}

/** The registry once: which extensions the policy leaves out, which are archived and present. */
async function readRegistry(registry: Pick<ExtensionRegistry, 'list'>) {
  const excluded = new Set<string>();
  const archived: ExtensionEntry[] = [];
  for await (const entry of registry.list()) {
    if (!entry.archived) excluded.add(entry.id);
    else if (isArchivedAndPresent(entry)) archived.push(entry);
  }
  return { excluded, archived };
}

/** Runs one export of the next range (or resumes the pending one); see the module comment. */
export async function runAccountExport(
  dependencies: AccountExportDependencies,
  options: AccountExportOptions,
): Promise<AccountExportResult> {
  const loaded = await dependencies.cursor.load();
  const range = nextRange(loaded, options);
  const cursor = { ...loaded, pending: loaded.pending ?? range };
  if (!loaded.pending) await dependencies.cursor.save(cursor);
  const { excluded, archived } = await readRegistry(dependencies.registry);
  const backfill = await exportOrStop({
    ringCentral: dependencies.ringCentral,
    objects: dependencies.objects,
    locators: dependencies.locators,
    checkpoints: pendingCheckpoints(dependencies.cursor, cursor),
    request: range,
    listFallback: false,
    // An extension discovery has not listed yet is archived: a message is never left out
    // because the registry is behind the account.
    includeExtension: (extensionId) => !excluded.has(extensionId),
    pollIntervalMs: options.pollIntervalMs ?? EXPORT_DEFAULTS.pollIntervalMs,
    // Waits for the task until the deadline; the next run resumes it (the pending checkpoint).
    exportWaitMs: Number.MAX_SAFE_INTEGER,
    deadline: options.deadline,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(dependencies.custody ? { custody: dependencies.custody } : {}),
  });
  if (!backfill) return { range, complete: false, extensionsMarked: 0, backfill: undefined };
  const result: AccountExportResult = {
    range,
    complete: backfill.complete,
    extensionsMarked: 0,
    backfill: { ...backfill, failures: backfill.failures.length },
  };
  if (!backfill.complete) return result;
  await dependencies.registry.markExported(
    archived.map((entry) => entry.id),
    range.dateTo,
  );
  result.extensionsMarked = archived.length;
  await dependencies.cursor.save({ coveredThrough: range.dateTo });
  return result;
}
