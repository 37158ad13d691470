/**
 * How a token-refresh run shows up for operators: one metric per outcome, a warning when the
 * refresh token was rejected, and one line with the outcome (action, reason, expiry; never a
 * token).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RefreshOutcome } from './refresher.ts';

const OUTCOME_METRIC = {
  refreshed: 'TokenRefreshed',
  'logged-in': 'TokenLoggedIn',
  skipped: 'TokenRefreshSkipped',
  none: 'TokenRefreshNotNeeded',
} as const;

/** Logs and counts what the refresher did. */
export function recordRefreshOutcome(
  outcome: RefreshOutcome,
  telemetry: { logger: Logger; metrics: Metrics },
): void {
  const { logger, metrics } = telemetry;
  metrics.addMetric(OUTCOME_METRIC[outcome.action], MetricUnit.Count, 1);
  if (outcome.refreshFailed) {
    metrics.addMetric('TokenRefreshRejected', MetricUnit.Count, 1);
    logger.warn('The refresh token was rejected; logged in with the JWT instead');
  }
  logger.info('Token refresh finished', { ...outcome });
}
