/**
 * How a reconciliation run shows up for operators: `ReconciliationMissingMessages` (alarmed),
 * the extensions with differences and those near eviction each named in a log line (ids,
 * numbers, names and counts; never message content), and what the invocation returns.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { evictionWarnings } from './eviction.ts';
import type { ReconciliationRun } from './reconciliation.ts';

/** What the invocation returns (the reports themselves are in S3). */
export interface ReconcileResult {
  reportKeys: string[];
  missing: number;
  extensionsWithDifferences: string[];
  /** Where to continue; absent when every day asked for is complete. */
  resumeAfter?: { date: string; extensionId: string };
}

/** Counts and logs the run; returns the invocation's result. */
export function publishReconciliation(
  run: ReconciliationRun,
  reportKeys: string[],
  telemetry: { logger: Logger; metrics: Metrics },
  now: number,
): ReconcileResult {
  const { logger, metrics } = telemetry;
  const different = run.extensions.filter((extension) => extension.missing > 0);
  const failed = run.extensions.filter((extension) => extension.error !== undefined);
  const warnings = evictionWarnings(run.extensions, now);
  const missing = different.reduce((sum, extension) => sum + extension.missing, 0);
  metrics.addMetric('ReconciliationMissingMessages', MetricUnit.Count, missing);
  metrics.addMetric('ReconciliationExtensionsWithDifferences', MetricUnit.Count, different.length);
  metrics.addMetric('ReconciliationErrors', MetricUnit.Count, failed.length);
  metrics.addMetric('ExtensionsNearEviction', MetricUnit.Count, warnings.length);
  metrics.addMetric('ReconciliationLightRequests', MetricUnit.Count, run.requests.ringCentral);
  for (const extension of different) {
    const byType = Object.fromEntries(
      Object.entries(extension.byType).map(([type, counts]) => [type, counts.missing]),
    );
    logger.warn('Messages missing from the archive', {
      extensionId: extension.extensionId,
      extensionNumber: extension.extensionNumber,
      name: extension.name,
      date: extension.date,
      missing: extension.missing,
      byType,
    });
  }
  for (const extension of failed) {
    logger.error('Extension not reconciled', {
      extensionId: extension.extensionId,
      date: extension.date,
      error: extension.error,
    });
  }
  for (const warning of warnings)
    logger.warn('Unarchived messages close to eviction', { ...warning });
  logger.info('Reconciliation written', {
    reportKeys,
    extensions: run.extensions.length,
    missing,
    requests: run.requests,
    resumeAfter: run.resumeAfter,
  });
  return {
    reportKeys,
    missing,
    extensionsWithDifferences: different.map((extension) => extension.extensionId),
    ...(run.resumeAfter ? { resumeAfter: run.resumeAfter } : {}),
  };
}
