/**
 * A run's results as the metrics and the one log line the archive function emits for it. Pure,
 * so the names, units and fields are tested without a Lambda; {@link publishRunSummary} hands
 * them to the runtime's metrics and logger. Ids, counts and error names only: never message text.
 */
import type { ArchiveRunResult } from './archiver.ts';

/** The metric units the job summaries use (CloudWatch's names). */
export type RunMetricUnit = 'Count' | 'Bytes' | 'Seconds';

/** One metric to add. */
export interface RunMetric {
  name: string;
  unit: RunMetricUnit;
  value: number;
}

/** The log line of a run. */
export interface RunLog {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

/** What a run reports. */
export interface RunSummary {
  metrics: RunMetric[];
  log: RunLog;
}

/** Where a summary goes (the runtime's metrics and logger fit). */
export interface RunSummarySink {
  metrics: { addMetric(name: string, unit: RunMetricUnit, value: number): void };
  logger: Record<RunLog['level'], (message: string, fields: Record<string, unknown>) => void>;
}

/** Adds the summary's metrics and writes its log line. */
export function publishRunSummary(summary: RunSummary, sink: RunSummarySink): void {
  for (const metric of summary.metrics) {
    sink.metrics.addMetric(metric.name, metric.unit, metric.value);
  }
  sink.logger[summary.log.level](summary.log.message, summary.log.fields);
}

/** The metrics and log line of one archive run. */
export function summarizeArchiveRun(run: ArchiveRunResult): RunSummary {
  const metrics: RunMetric[] = [
    { name: 'ArchivedMessages', unit: 'Count', value: run.archivedMessages },
    { name: 'ArchivedBytes', unit: 'Bytes', value: run.archivedBytes },
    { name: 'SkippedAttachments', unit: 'Count', value: run.skippedAttachments },
    { name: 'ArchiveFailures', unit: 'Count', value: run.failures.length },
  ];
  if (run.cursorLagSeconds !== undefined) {
    metrics.push({ name: 'CursorLagSeconds', unit: 'Seconds', value: run.cursorLagSeconds });
  }
  const fields = {
    extension: run.extension,
    mode: run.mode,
    fullSyncReason: run.fullSyncReason,
    complete: run.complete,
    cursorAdvanced: run.cursorAdvanced,
    stoppedAtDeadline: run.stoppedAtDeadline,
    stopReason: run.stopReason,
    records: run.records,
    archivedMessages: run.archivedMessages,
    unchangedMessages: run.unchangedMessages,
    markedDeleted: run.markedDeleted,
    storedAttachments: run.storedAttachments,
    skippedAttachments: run.skippedAttachments,
    missingAttachments: run.missingAttachments,
    archivedBytes: run.archivedBytes,
  };
  if (run.failures.length > 0) {
    return {
      metrics,
      log: {
        level: 'error',
        message: 'Archive run had failures; the cursor stays',
        fields: { ...fields, failures: run.failures.slice(0, 20) },
      },
    };
  }
  return { metrics, log: { level: 'info', message: 'Archive run finished', fields } };
}
