/**
 * One purge run: per configured extension, list the candidates (older than the retention, not
 * newer than the archive cursor), verify each against the archive, delete only the verified ids
 * in batches of at most 50, and write one report. Bounded by the deadline: it stops starting new
 * work `reportReserveMs` before it, so the report is always written.
 */
import { randomUUID } from 'node:crypto';
import { PURGE_DEFAULTS } from '../archive/defaults.ts';
import type { CursorStore, ObjectStore } from '../archive/ports.ts';
import type { BulkResult, CallOptions, MessagesApi } from '../ringcentral/index.ts';
import {
  AbortedError,
  DeadlineExceededError,
  MAX_IDS_PER_REQUEST,
  nonEmpty,
  RingCentralError,
} from '../ringcentral/index.ts';
import type { RetentionDays } from './candidates.ts';
import { listPurgeCandidates, purgeCutoffs } from './candidates.ts';
import type { PlannedDeletion } from './plan.ts';
import { planPurge } from './plan.ts';
import type {
  PurgeReport,
  PurgeReportDeletion,
  PurgeReportExtension,
  PurgeReportFailure,
  PurgeReportSkip,
} from './report.ts';
import { countReport, PURGE_REPORT_SCHEMA_VERSION, writePurgeReport } from './report.ts';
import { type RetentionRequirement, verifyAll } from './verification.ts';

/** What a purge run is told to do. */
export interface PurgeSettings {
  /** Extensions in the order to purge them: `~` or extension ids (the registry's order). */
  extensions: readonly string[];
  retentionDays: RetentionDays;
  /** Verify and report, delete nothing. */
  dryRun: boolean;
  /** `purge=true` on the DELETE: skip RingCentral's Deleted state. */
  hardPurge: boolean;
  /** Oldest creation time to list; default 1970-01-01. */
  dateFrom?: string;
  /** Candidates per extension and run; default 10,000 (the rest wait for the next run). */
  maxCandidatesPerExtension?: number;
  /**
   * The Object Lock retention every archived object must have for purge to call it proven (the
   * archive's configured retention); unset: none required.
   */
  requiredRetention?: RetentionRequirement;
  /** Messages verified at once; default 16. */
  verifyConcurrency?: number;
  /** Time kept free before the deadline for writing the report; default 5 s. */
  reportReserveMs?: number;
  /** Time before that at which verification stops, so proven ids still get deleted; default 3 s. */
  deleteReserveMs?: number;
}

/** What a purge run works with (ports, so tests can hand in their own). */
export interface PurgeDependencies {
  messages: Pick<MessagesApi, 'list' | 'delete'>;
  objects: ObjectStore;
  cursors: Pick<CursorStore, 'get'>;
  now?: () => Date;
  /** Default: a timestamped random id. */
  runId?: string;
}

/** The written report and where it is. */
export interface PurgeOutcome {
  report: PurgeReport;
  reportKey: string;
}

const DEFAULTS = PURGE_DEFAULTS;

function isStop(error: unknown): boolean {
  return error instanceof DeadlineExceededError || error instanceof AbortedError;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function newRunId(now: Date): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomUUID().slice(0, 8)}`;
}

/** Runs one purge and writes its report. Throws only when the report cannot be written. */
export async function runPurge(
  dependencies: PurgeDependencies,
  settings: PurgeSettings,
  options: CallOptions = {},
): Promise<PurgeOutcome> {
  const now = dependencies.now ?? (() => new Date());
  const started = now();
  const runId = dependencies.runId ?? newRunId(started);
  const reserveMs = settings.reportReserveMs ?? DEFAULTS.reportReserveMs;
  // Work stops here; the rest of the time belongs to the report.
  const workDeadline = options.deadline === undefined ? undefined : options.deadline - reserveMs;
  const work: CallOptions = { signal: options.signal, deadline: workDeadline };
  const outOfTime = (): boolean =>
    options.signal?.aborted === true || (workDeadline !== undefined && Date.now() >= workDeadline);
  // Verification stops earlier, so the ids it proved can still be deleted.
  const flushReserveMs = settings.deleteReserveMs ?? DEFAULTS.deleteReserveMs;
  const verificationOutOfTime = (): boolean =>
    outOfTime() || (workDeadline !== undefined && Date.now() >= workDeadline - flushReserveMs);

  const extensions: PurgeReportExtension[] = [];
  const deleted: PurgeReportDeletion[] = [];
  const wouldDelete: PurgeReportDeletion[] = [];
  const skipped: PurgeReportSkip[] = [];
  const failed: PurgeReportFailure[] = [];
  let complete = true;

  for (const extension of settings.extensions) {
    const summary: PurgeReportExtension = {
      extension,
      cutoffs: {},
      candidates: 0,
      listingRequests: 0,
      deleteRequests: 0,
      truncated: false,
    };
    extensions.push(summary);
    if (outOfTime()) {
      summary.stopped = 'deadline';
      complete = false;
      continue;
    }
    try {
      const cursor = await dependencies.cursors.get(extension);
      if (cursor.syncTime === undefined) {
        // Nothing is proven archived for an extension the archive has not completed a sync of.
        summary.stopped = 'no-archive-cursor';
        continue;
      }
      summary.cursorSyncTime = cursor.syncTime;
      summary.cutoffs = purgeCutoffs(settings.retentionDays, started, cursor.syncTime);
      const listing = await listPurgeCandidates(
        dependencies.messages,
        {
          extension,
          cutoffs: summary.cutoffs,
          cursorSyncTime: cursor.syncTime,
          dateFrom: settings.dateFrom ?? DEFAULTS.dateFrom,
          maxCandidates: settings.maxCandidatesPerExtension ?? DEFAULTS.maxCandidatesPerExtension,
        },
        work,
      );
      summary.candidates = listing.candidates.length;
      summary.listingRequests = listing.pages;
      summary.truncated = listing.truncated;
      if (listing.truncated) complete = false;

      // Verify in windows and delete whenever 50 verified ids are pending: deletes keep pace
      // with verification, so a deadline leaves deleted what was proven, and requests stay at
      // ceil(verified / 50).
      const pending: PlannedDeletion[] = [];
      const flush = async (all: boolean): Promise<boolean> => {
        while (pending.length >= MAX_IDS_PER_REQUEST || (all && pending.length > 0)) {
          const batch = pending.splice(0, MAX_IDS_PER_REQUEST);
          if (settings.dryRun) {
            for (const entry of batch) wouldDelete.push({ ...entry, extension });
            continue;
          }
          if (outOfTime()) {
            notDeleted(batch.concat(pending.splice(0)), 'the deadline came before its delete');
            return false;
          }
          summary.deleteRequests += 1;
          const results = await deleteBatch(
            dependencies.messages,
            batch,
            extension,
            settings,
            work,
          );
          const byId = new Map(batch.map((entry) => [entry.id, entry]));
          for (const result of results) {
            const entry = byId.get(result.id);
            if (!entry) continue;
            if (result.ok) deleted.push({ ...entry, extension });
            else failed.push(failureOf(result, extension));
          }
          if (results.some((result) => !result.ok && isStop(result.error))) {
            notDeleted(pending.splice(0), 'the deadline came before its delete');
            return false;
          }
        }
        return true;
      };
      const notDeleted = (entries: readonly PlannedDeletion[], why: string): void => {
        for (const entry of entries) {
          skipped.push({
            id: entry.id,
            extension,
            reason: 'not-deleted-before-deadline',
            detail: why,
          });
        }
      };

      const window = Math.max(MAX_IDS_PER_REQUEST, settings.verifyConcurrency ?? 0);
      let inTime = true;
      for (let start = 0; start < listing.candidates.length; start += window) {
        const records = listing.candidates.slice(start, start + window);
        const { results } = inTime
          ? await verifyAll(dependencies.objects, records, {
              concurrency: settings.verifyConcurrency ?? DEFAULTS.verifyConcurrency,
              shouldStop: verificationOutOfTime,
              ...(settings.requiredRetention
                ? { requiredRetention: settings.requiredRetention }
                : {}),
            })
          : { results: [] };
        const plan = planPurge(records, results);
        for (const skip of plan.skipped) skipped.push({ ...skip, extension });
        pending.push(...plan.batches.flat());
        if (results.length < records.length) inTime = false;
        if (inTime) inTime = await flush(false);
      }
      const flushed = await flush(true);
      if (!inTime || !flushed) {
        summary.stopped = 'deadline';
        complete = false;
      }
    } catch (error) {
      complete = false;
      summary.stopped = isStop(error) ? 'deadline' : 'error';
      summary.error = describe(error);
    }
  }

  const withoutCounts: Omit<PurgeReport, 'counts'> = {
    schemaVersion: PURGE_REPORT_SCHEMA_VERSION,
    runId,
    startedAt: started.toISOString(),
    finishedAt: now().toISOString(),
    dryRun: settings.dryRun,
    hardPurge: settings.hardPurge,
    retentionDays: settings.retentionDays,
    complete,
    extensions,
    deleted,
    wouldDelete,
    skipped,
    failed,
    requests: {
      listing: extensions.reduce((sum, extension) => sum + extension.listingRequests, 0),
      delete: extensions.reduce((sum, extension) => sum + extension.deleteRequests, 0),
    },
  };
  const report: PurgeReport = { ...withoutCounts, counts: countReport(withoutCounts) };
  const reportKey = await writePurgeReport(dependencies.objects, report);
  return { report, reportKey };
}

/** One DELETE of at most 50 ids; the client turns a 207 into one result per id. */
async function deleteBatch(
  messages: Pick<MessagesApi, 'delete'>,
  batch: readonly PlannedDeletion[],
  extension: string,
  settings: PurgeSettings,
  options: CallOptions,
): Promise<BulkResult<never>[]> {
  const ids = nonEmpty(
    batch.map((entry) => entry.id),
    'purge batch',
  );
  return messages.delete(ids, {
    ...options,
    extensionId: extension,
    ...(settings.hardPurge ? { purge: true } : {}),
  });
}

function failureOf(
  result: Extract<BulkResult<never>, { ok: false }>,
  extension: string,
): PurgeReportFailure {
  const failure: PurgeReportFailure = {
    id: result.id,
    extension,
    message: result.error instanceof RingCentralError ? result.error.message : String(result.error),
  };
  if (result.status !== undefined) failure.status = result.status;
  if (result.error.errorCode !== undefined) failure.errorCode = result.error.errorCode;
  return failure;
}
