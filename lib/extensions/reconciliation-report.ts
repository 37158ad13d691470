/**
 * The reconciliation report of one day, `reports/reconciliation/{yyyy}/{mm}/{dd}.json`: per
 * extension and type RingCentral's count against the archive's, the missing ids (capped), the
 * archived messages RingCentral no longer lists, the eviction warnings and the counts. A run the
 * deadline split over several invocations adds to the day's report instead of replacing it.
 * Ids, numbers, names and counts only: never message content.
 */
import { reconciliationReportKey } from '../archive/layout.ts';
import type { ObjectStore } from '../archive/ports.ts';
import { type EvictionWarning, evictionWarnings } from './eviction.ts';
import {
  type ExtensionDayReconciliation,
  type ReconciliationRun,
  yesterday,
} from './reconciliation.ts';

/** The report schema version. */
export const RECONCILIATION_REPORT_SCHEMA_VERSION = 1;

/** The report document of one day. */
export interface ReconciliationReport {
  schemaVersion: typeof RECONCILIATION_REPORT_SCHEMA_VERSION;
  date: string;
  /** ISO time of the last write. */
  updatedAt: string;
  /** False while a continued run still has extensions of this day to do. */
  complete: boolean;
  extensions: ExtensionDayReconciliation[];
  evictionWarnings: EvictionWarning[];
  counts: {
    extensions: number;
    /** Extensions with missing messages. */
    withDifferences: number;
    missing: number;
    archivedOnly: number;
    errors: number;
  };
}

/** Counts derived from the list, so they can never disagree with it. */
export function countReconciliation(
  extensions: readonly ExtensionDayReconciliation[],
): ReconciliationReport['counts'] {
  return {
    extensions: extensions.length,
    withDifferences: extensions.filter((extension) => extension.missing > 0).length,
    missing: extensions.reduce((sum, extension) => sum + extension.missing, 0),
    archivedOnly: extensions.reduce((sum, extension) => sum + extension.archivedOnly, 0),
    errors: extensions.filter((extension) => extension.error !== undefined).length,
  };
}

/**
 * Writes the day's report and returns its key. With `continued`, the stored report's extensions
 * (and warnings of other extensions) are kept and this run's replace theirs.
 */
export async function writeReconciliationReport(
  store: Pick<ObjectStore, 'put' | 'getText'>,
  day: {
    date: string;
    extensions: ExtensionDayReconciliation[];
    evictionWarnings: EvictionWarning[];
    complete: boolean;
    continued: boolean;
    now: string;
  },
): Promise<string> {
  const key = reconciliationReportKey(day.date);
  const stored = day.continued ? await store.getText(key) : undefined;
  const previous = stored ? (JSON.parse(stored) as ReconciliationReport) : undefined;
  const ours = new Set(day.extensions.map((extension) => extension.extensionId));
  const extensions = [
    ...(previous?.extensions ?? []).filter((extension) => !ours.has(extension.extensionId)),
    ...day.extensions,
  ].sort((a, b) => a.extensionId.localeCompare(b.extensionId));
  const evictionWarnings = [
    ...(previous?.evictionWarnings ?? []).filter((warning) => !ours.has(warning.extensionId)),
    ...day.evictionWarnings,
  ];
  const report: ReconciliationReport = {
    schemaVersion: RECONCILIATION_REPORT_SCHEMA_VERSION,
    date: day.date,
    updatedAt: day.now,
    complete: day.complete,
    extensions,
    evictionWarnings,
    counts: countReconciliation(extensions),
  };
  await store.put(key, `${JSON.stringify(report, null, 2)}\n`, { contentType: 'application/json' });
  return key;
}

/** The days and resume point of a scheduled run: yesterday, after what its report holds. */
export async function scheduledWork(
  objects: Pick<ObjectStore, 'getText'>,
  now: number,
): Promise<{ days: string[]; resumeAfter?: string } | undefined> {
  const date = yesterday(now);
  const stored = await objects.getText(reconciliationReportKey(date));
  if (!stored) return { days: [date] };
  const report = JSON.parse(stored) as ReconciliationReport;
  if (report.complete) return undefined;
  const last = report.extensions.at(-1)?.extensionId;
  return { days: [date], ...(last ? { resumeAfter: last } : {}) };
}

/** Writes the report of each day the run reached; returns their keys. */
export async function writeRunReports(
  objects: Pick<ObjectStore, 'put' | 'getText'>,
  run: ReconciliationRun,
  resumedAfter: string | undefined,
  now: number,
): Promise<string[]> {
  const keys: string[] = [];
  for (const [index, date] of run.days.entries()) {
    const extensions = run.extensions.filter((extension) => extension.date === date);
    const stoppedHere = run.resumeAfter?.date === date;
    // Days after the one the deadline stopped in were not started.
    if (run.resumeAfter && date > run.resumeAfter.date) continue;
    keys.push(
      await writeReconciliationReport(objects, {
        date,
        extensions,
        evictionWarnings: evictionWarnings(extensions, now),
        complete: !stoppedHere,
        continued: index === 0 && resumedAfter !== undefined,
        now: new Date(now).toISOString(),
      }),
    );
  }
  return keys;
}
