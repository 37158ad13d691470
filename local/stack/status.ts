/**
 * One status line per job run and per request through the gateway: what the run did (messages
 * archived, bytes, purged, rate-limit waits), read from the function's return value and the
 * metrics it emitted. Never message text: the return values carry counts and ids only.
 */
import type { GatewayAccess } from './gateway.ts';

/** What a status line is made from. */
export interface JobRunReport {
  functionName: string;
  /** What started the run when not its schedule, e.g. `webhook`. */
  trigger?: string;
  durationMs: number;
  coldStart?: boolean;
  /** The function's return value (JSON text), when it succeeded. */
  payload?: string;
  metrics: Record<string, number>;
  /** The error, when it failed. */
  error?: { name: string; message: string };
}

/** `1.2 MB`, `512 B`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function clock(now: Date): string {
  return now.toTimeString().slice(0, 8);
}

function parse(payload: string | undefined): Record<string, unknown> {
  if (payload === undefined) return {};
  try {
    const value = JSON.parse(payload) as unknown;
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function sum(runs: unknown, field: string): number {
  if (!Array.isArray(runs)) return 0;
  return runs.reduce((total: number, run: unknown) => {
    const value = (run as Record<string, unknown> | null)?.[field];
    return total + (typeof value === 'number' ? value : 0);
  }, 0);
}

/** What the function's result says, in a few words. */
function summary(report: JobRunReport): string {
  const result = parse(report.payload);
  switch (report.functionName) {
    case 'archive': {
      const runs = result.runs;
      const failures = Array.isArray(runs)
        ? runs.reduce(
            (total: number, run: unknown) =>
              total + (((run as { failures?: unknown[] }).failures ?? []).length ?? 0),
            0,
          )
        : 0;
      const complete =
        Array.isArray(runs) && runs.every((run) => (run as { complete?: boolean }).complete);
      const refused = Array.isArray(result.permissionErrors) ? result.permissionErrors.length : 0;
      const notReached = Array.isArray(result.notReached) ? result.notReached.length : 0;
      return [
        `${Array.isArray(runs) ? runs.length : 0} extension(s): ${sum(runs, 'archivedMessages')} archived`,
        formatBytes(sum(runs, 'archivedBytes')),
        `${sum(runs, 'unchangedMessages')} unchanged`,
        `${sum(runs, 'markedDeleted')} marked deleted`,
        failures > 0 ? `${failures} failures` : complete ? 'cursor advanced' : 'incomplete',
        ...(refused > 0 ? [`${refused} refused (permission)`] : []),
        ...(notReached > 0 ? [`${notReached} not reached`] : []),
      ].join(', ');
    }
    case 'purge': {
      const counts = (result.counts ?? {}) as Record<string, number>;
      const dryRun = result.dryRun === true;
      return [
        dryRun
          ? `dry run: ${counts.wouldDelete ?? 0} would be purged`
          : `${counts.deleted ?? 0} purged`,
        `${counts.candidates ?? 0} candidates`,
        `${counts.skipped ?? 0} skipped`,
        `${counts.failed ?? 0} failed`,
      ].join(', ');
    }
    case 'token-refresh':
      return `${String(result.action ?? '?')} (${String(result.reason ?? '')})`;
    case 'subscription-keeper':
      return keeperSummary(result);
    case 'reconcile':
      return reconcileSummary(result);
    case 'extensions':
      return extensionsSummary(result);
    case 'archive-dispatch':
      return dispatchSummary(result);
    case 'message-status':
      return result.checked === true
        ? `${result.read ?? 0} read, ${result.published ?? 0} changes published, ${result.deferred ?? 0} deferred`
        : 'checked within the spacing: left to the next check';
    case 'archive-export':
      return exportSummary(result);
    default:
      return typeof result.statusCode === 'number' ? `status ${result.statusCode}` : 'done';
  }
}

/**
 * `exported through 14:03:12: 40 messages archived of 52, 31 extensions marked` or
 * `export incomplete (resumes at the next run)`.
 */
function exportSummary(result: Record<string, unknown>): string {
  const range = (result.range ?? {}) as { dateTo?: string };
  const backfill = (result.backfill ?? {}) as Record<string, number>;
  if (result.complete !== true) return 'export incomplete (resumes at the next run)';
  const through = range.dateTo ? range.dateTo.slice(11, 19) : '?';
  return `exported through ${through}: ${backfill.messagesArchived ?? 0} messages archived of ${backfill.messagesTotal ?? 0}, ${String(result.extensionsMarked ?? 0)} extensions marked`;
}

/** One line for a job run. */
export function formatJobRun(report: JobRunReport, now = new Date()): string {
  const waits = report.metrics.RateLimitWaits ?? 0;
  const waited = report.metrics.RateLimitWaitTime ?? 0;
  const throttled = report.metrics.RingCentral429s ?? 0;
  const tail = [
    // The metric adds up every request's wait; concurrent waits overlap, so it is labelled as a
    // sum (it can exceed the run's wall time).
    `rate-limit waits ${waits}${waits > 0 ? ` (${(waited / 1000).toFixed(1)} s summed)` : ''}`,
    ...(throttled > 0 ? [`429s ${throttled}`] : []),
    `${(report.durationMs / 1000).toFixed(1)} s${report.coldStart ? ' (cold start)' : ''}`,
  ].join(', ');
  const name = `${report.functionName}${report.trigger ? ` (${report.trigger})` : ''}`.padEnd(19);
  if (report.error) {
    return `[${clock(now)}] ${name} FAILED ${report.error.name}: ${report.error.message} | ${tail}`;
  }
  return `[${clock(now)}] ${name} ${summary(report)} | ${tail}`;
}

/**
 * One line for a request the gateway answered: `202 -> send-sms` when a function answered, and
 * for a request the gateway refused itself (a 4xx with a refusal) the reason and that no function
 * ran, so a refusal never reads as the function's answer.
 */
export function formatAccess(access: GatewayAccess, now = new Date()): string {
  const refused = access.refusal !== undefined && access.status < 500;
  const outcome = refused
    ? `refused by the gateway (${access.refusal})${access.functionName ? `; ${access.functionName} did not run` : ''}`
    : access.functionName
      ? `-> ${access.functionName}`
      : '';
  return `[${clock(now)}] ${`${access.method} ${access.path}`.padEnd(19)} ${access.status} ${outcome}, ${Math.round(access.durationMs)} ms`;
}

/**
 * `extensions 31 complete, 0 behind, 0 failing, 2 pending; 4 batches of 33 dispatched`: the
 * completeness over every archived extension, then what this dispatch handed to the workers.
 */
function dispatchSummary(result: Record<string, unknown>): string {
  const counts = (result.completeness ?? {}) as Record<string, unknown>;
  const pending = Number(counts.pending ?? 0);
  const dispatched = Number(result.dispatched ?? 0);
  return [
    `extensions ${counts.complete ?? 0} complete, ${counts.behind ?? 0} behind, ${counts.failing ?? 0} failing${pending > 0 ? `, ${pending} pending` : ''}`,
    dispatched > 0 ? `${dispatched} dispatched in ${result.batches ?? 0} batches` : 'nothing due',
    ...(typeof result.event === 'string' ? [`event ${result.event}`] : []),
  ].join('; ');
}

/** `3 subscriptions (1 created, 2 kept)`, and unplaced filters when there are any. */
function keeperSummary(result: Record<string, unknown>): string {
  const kept = Array.isArray(result.subscriptions)
    ? (result.subscriptions as Array<{ action?: string }>)
    : [];
  const actions = new Map<string, number>();
  for (const { action = '?' } of kept) actions.set(action, (actions.get(action) ?? 0) + 1);
  const detail = [...actions].map(([action, count]) => `${count} ${action}`).join(', ');
  const unplaced = Number(result.unplacedFilters ?? 0);
  return `${kept.length} subscriptions (${detail})${unplaced > 0 ? `, ${unplaced} filters unplaced` : ''}`;
}

/** `yesterday complete: 0 missing` or `12 missing in 2 extensions (101001, 101002)`. */
function reconcileSummary(result: Record<string, unknown>): string {
  const keys = Array.isArray(result.reportKeys) ? result.reportKeys.length : 0;
  if (keys === 0) return 'already reconciled';
  const different = Array.isArray(result.extensionsWithDifferences)
    ? (result.extensionsWithDifferences as string[])
    : [];
  const missing = Number(result.missing ?? 0);
  const listed = different.slice(0, 5).join(', ') + (different.length > 5 ? ', ...' : '');
  return [
    missing === 0
      ? '0 missing'
      : `${missing} missing in ${different.length} extensions (${listed})`,
    result.resumeAfter ? 'continues next run' : 'report complete',
  ].join(', ');
}

/** `40 listed, 31 archived, 2 new, 1 gone`, and the configuration error when there is one. */
function extensionsSummary(result: Record<string, unknown>): string {
  const counts = (result.counts ?? {}) as Record<string, unknown>;
  const error = result.configurationError as { message?: string } | undefined;
  const parts =
    result.counts === undefined
      ? []
      : [
          `${counts.listed ?? 0} listed`,
          `${counts.archived ?? 0} archived`,
          `${counts.new ?? 0} new`,
          `${counts.gone ?? 0} gone`,
          ...(counts.returned ? [`${counts.returned} returned`] : []),
        ];
  if (error) parts.push(`CONFIGURATION ERROR: ${error.message ?? ''}`);
  return parts.join(', ');
}
