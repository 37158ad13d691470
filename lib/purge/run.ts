/**
 * One purge run: per configured extension, list the candidates (older than the retention, not
 * newer than the archive cursor), verify each against the archive, delete only the verified ids
 * in batches of at most 50, and write one report. Bounded by the deadline: it stops starting new
 * work `reportReserveMs` before it, so the report is always written.
 */
import { randomUUID } from 'node:crypto';
import { PURGE_DEFAULTS } from '../archive/defaults.ts';
import type { CursorStore, ObjectStore } from '../archive/ports.ts';
import type { CallOptions, MessageRecord, MessagesApi } from '../ringcentral/index.ts';
import { MAX_IDS_PER_REQUEST } from '../ringcentral/index.ts';
import type { RetentionDays } from './candidates.ts';
import { listPurgeCandidates, purgeCutoffs } from './candidates.ts';
import { createDeletionQueue, type DeletionRecord, isStop } from './deletion.ts';
import { planPurge } from './plan.ts';
import type { PurgeReport, PurgeReportExtension } from './report.ts';
import { countReport, PURGE_REPORT_SCHEMA_VERSION, writePurgeReport } from './report.ts';
import { type RetentionRequirement, type Verification, verifyAll } from './verification.ts';

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

/** When work stops (the report's reserve before the deadline), and verification before that. */
interface PurgeClock {
  /** The signal, and the deadline work must end by. */
  work: CallOptions;
  outOfTime(): boolean;
  /** Verification stops earlier, so the ids it proved can still be deleted. */
  verificationOutOfTime(): boolean;
}

/** What the run's pieces share: its ports, settings, time and the report's lists. */
interface PurgeRun {
  dependencies: PurgeDependencies;
  settings: PurgeSettings;
  clock: PurgeClock;
  started: Date;
  tally: PurgeTally;
}

/** The report's lists as the run fills them, and whether it finished all its work. */
type PurgeTally = DeletionRecord & Pick<PurgeReport, 'extensions' | 'complete'>;

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
  const run: PurgeRun = {
    dependencies,
    settings,
    clock: purgeClock(settings, options),
    started,
    tally: {
      extensions: [],
      deleted: [],
      wouldDelete: [],
      skipped: [],
      failed: [],
      complete: true,
    },
  };
  for (const extension of settings.extensions) await purgeExtension(run, extension);
  const report = purgeReport(run, runId, now());
  const reportKey = await writePurgeReport(dependencies.objects, report);
  return { report, reportKey };
}

function purgeClock(settings: PurgeSettings, options: CallOptions): PurgeClock {
  const reserveMs = settings.reportReserveMs ?? DEFAULTS.reportReserveMs;
  // Work stops here; the rest of the time belongs to the report.
  const workDeadline = options.deadline === undefined ? undefined : options.deadline - reserveMs;
  const flushReserveMs = settings.deleteReserveMs ?? DEFAULTS.deleteReserveMs;
  const outOfTime = (): boolean =>
    options.signal?.aborted === true || (workDeadline !== undefined && Date.now() >= workDeadline);
  return {
    work: { signal: options.signal, deadline: workDeadline },
    outOfTime,
    verificationOutOfTime: () =>
      outOfTime() || (workDeadline !== undefined && Date.now() >= workDeadline - flushReserveMs),
  };
}

/** One extension: its cursor, its candidates, then verifying and deleting them. */
async function purgeExtension(run: PurgeRun, extension: string): Promise<void> {
  const summary: PurgeReportExtension = {
    extension,
    cutoffs: {},
    candidates: 0,
    listingRequests: 0,
    deleteRequests: 0,
    truncated: false,
  };
  run.tally.extensions.push(summary);
  if (run.clock.outOfTime()) {
    summary.stopped = 'deadline';
    run.tally.complete = false;
    return;
  }
  try {
    const candidates = await listCandidates(run, summary);
    if (candidates === undefined) return;
    if (!(await verifyAndDelete(run, summary, candidates))) {
      summary.stopped = 'deadline';
      run.tally.complete = false;
    }
  } catch (error) {
    run.tally.complete = false;
    summary.stopped = isStop(error) ? 'deadline' : 'error';
    summary.error = describe(error);
  }
}

/**
 * The extension's candidates, capped by its archive cursor; undefined when the archive has not
 * completed a sync of it (nothing of it is proven archived).
 */
async function listCandidates(
  run: PurgeRun,
  summary: PurgeReportExtension,
): Promise<MessageRecord[] | undefined> {
  const { dependencies, settings } = run;
  const cursor = await dependencies.cursors.get(summary.extension);
  if (cursor.syncTime === undefined) {
    summary.stopped = 'no-archive-cursor';
    return undefined;
  }
  summary.cursorSyncTime = cursor.syncTime;
  summary.cutoffs = purgeCutoffs(settings.retentionDays, run.started, cursor.syncTime);
  const listing = await listPurgeCandidates(
    dependencies.messages,
    {
      extension: summary.extension,
      cutoffs: summary.cutoffs,
      cursorSyncTime: cursor.syncTime,
      dateFrom: settings.dateFrom ?? DEFAULTS.dateFrom,
      maxCandidates: settings.maxCandidatesPerExtension ?? DEFAULTS.maxCandidatesPerExtension,
    },
    run.clock.work,
  );
  summary.candidates = listing.candidates.length;
  summary.listingRequests = listing.pages;
  summary.truncated = listing.truncated;
  if (listing.truncated) run.tally.complete = false;
  return listing.candidates;
}

/**
 * Verifies the candidates in windows and deletes whenever 50 verified ids are pending. False
 * when the deadline stopped verification or a delete.
 */
async function verifyAndDelete(
  run: PurgeRun,
  summary: PurgeReportExtension,
  candidates: readonly MessageRecord[],
): Promise<boolean> {
  const { settings, clock } = run;
  const queue = createDeletionQueue({
    messages: run.dependencies.messages,
    dryRun: settings.dryRun,
    hardPurge: settings.hardPurge,
    summary,
    record: run.tally,
    outOfTime: clock.outOfTime,
    work: clock.work,
  });
  const window = Math.max(MAX_IDS_PER_REQUEST, settings.verifyConcurrency ?? 0);
  let inTime = true;
  for (let start = 0; start < candidates.length; start += window) {
    const records = candidates.slice(start, start + window);
    const results = inTime ? await verifyWindow(run, records) : [];
    const plan = planPurge(records, results);
    for (const skip of plan.skipped)
      run.tally.skipped.push({ ...skip, extension: summary.extension });
    queue.add(plan.batches.flat());
    if (results.length < records.length) inTime = false;
    if (inTime) inTime = await queue.flush(false);
  }
  const flushed = await queue.flush(true);
  return inTime && flushed;
}

/** Verifies one window of candidates; fewer results than records when time ran out. */
async function verifyWindow(
  run: PurgeRun,
  records: readonly MessageRecord[],
): Promise<Verification[]> {
  const { settings } = run;
  const { results } = await verifyAll(run.dependencies.objects, records, {
    concurrency: settings.verifyConcurrency ?? DEFAULTS.verifyConcurrency,
    shouldStop: run.clock.verificationOutOfTime,
    ...(settings.requiredRetention ? { requiredRetention: settings.requiredRetention } : {}),
  });
  return results;
}

/** The report of the run, its counts derived from its lists. */
function purgeReport(run: PurgeRun, runId: string, finished: Date): PurgeReport {
  const { settings, tally } = run;
  const withoutCounts: Omit<PurgeReport, 'counts'> = {
    schemaVersion: PURGE_REPORT_SCHEMA_VERSION,
    runId,
    startedAt: run.started.toISOString(),
    finishedAt: finished.toISOString(),
    dryRun: settings.dryRun,
    hardPurge: settings.hardPurge,
    retentionDays: settings.retentionDays,
    complete: tally.complete,
    extensions: tally.extensions,
    deleted: tally.deleted,
    wouldDelete: tally.wouldDelete,
    skipped: tally.skipped,
    failed: tally.failed,
    requests: {
      listing: tally.extensions.reduce((sum, extension) => sum + extension.listingRequests, 0),
      delete: tally.extensions.reduce((sum, extension) => sum + extension.deleteRequests, 0),
    },
  };
  return { ...withoutCounts, counts: countReport(withoutCounts) };
}
