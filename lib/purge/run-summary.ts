/**
 * A purge run's results as the metrics and the one log line the purge function emits for it.
 * Ids, reasons and counts only; the report in S3 has the details.
 */
import type { RunLog, RunSummary } from '../archive/run-summary.ts';
import type { PurgeReport } from './report.ts';

/** The metrics and log line of one purge run, whose report went to `reportKey`. */
export function summarizePurgeRun(
  report: PurgeReport,
  run: { reportKey: string; dryRun: boolean },
): RunSummary {
  const { counts } = report;
  const fields = {
    reportKey: run.reportKey,
    dryRun: run.dryRun,
    hardPurge: report.hardPurge,
    complete: report.complete,
    counts,
    extensions: report.extensions.map((extension) => ({
      extension: extension.extension,
      candidates: extension.candidates,
      deleteRequests: extension.deleteRequests,
      stopped: extension.stopped,
      error: extension.error,
    })),
  };
  let log: RunLog;
  if (report.failed.length > 0 || report.extensions.some((e) => e.stopped === 'error')) {
    log = { level: 'error', message: 'Purge run had failures', fields };
  } else if (report.skipped.length > 0) {
    log = {
      level: 'warn',
      message: 'Purge run skipped messages it could not prove archived',
      fields,
    };
  } else {
    log = { level: 'info', message: 'Purge run finished', fields };
  }
  return {
    metrics: [
      { name: 'PurgeCandidates', unit: 'Count', value: counts.candidates },
      { name: 'PurgeVerified', unit: 'Count', value: counts.verified },
      { name: 'PurgeDeleted', unit: 'Count', value: counts.deleted },
      { name: 'PurgeSkipped', unit: 'Count', value: counts.skipped },
      { name: 'PurgeFailed', unit: 'Count', value: counts.failed },
    ],
    log,
  };
}
