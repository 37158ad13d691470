/**
 * How a subscription-keeper run shows up for operators: a metric and a warning for every time it
 * had to act (a deletion, a new subscription), a metric for a renewal, and one line naming the
 * subscription in place. Ids and reasons only: never the verification token.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { KeeperReport } from './subscription-keeper.ts';

const DELETE_METRIC = {
  blacklisted: 'SubscriptionBlacklisted',
  duplicate: 'SubscriptionDuplicateDeleted',
  'wrong-filters': 'SubscriptionFiltersReplaced',
} as const;

/** Logs and counts what the keeper did. */
export function recordKeeperReport(
  report: KeeperReport,
  telemetry: { logger: Logger; metrics: Metrics },
): void {
  const { logger, metrics } = telemetry;
  for (const deleted of report.deleted) {
    metrics.addMetric(DELETE_METRIC[deleted.reason], MetricUnit.Count, 1);
    logger.warn('Deleted a webhook subscription', { ...deleted });
  }
  for (const subscription of report.subscriptions) {
    if (subscription.action === 'created') {
      metrics.addMetric('SubscriptionCreated', MetricUnit.Count, 1);
      logger.warn('Created a webhook subscription', {
        subscriptionId: subscription.subscriptionId,
        filters: subscription.filters,
        renewalRefused: subscription.renewalRefused === true,
      });
    } else if (subscription.action === 'renewed') {
      metrics.addMetric('SubscriptionRenewed', MetricUnit.Count, 1);
    } else if (subscription.action === 'updated') {
      metrics.addMetric('SubscriptionFiltersUpdated', MetricUnit.Count, 1);
    }
  }
  metrics.addMetric('SubscriptionsActive', MetricUnit.Count, report.subscriptions.length);
  // Never silent: extensions whose mailbox no subscription watches are only found by the sweep.
  metrics.addMetric('SubscriptionFiltersUnplaced', MetricUnit.Count, report.unplacedFilters);
  if (report.unplacedFilters > 0) {
    logger.error('No subscription slot left for some event filters', {
      unplacedFilters: report.unplacedFilters,
    });
  }
  logger.info('Webhook subscriptions in place', {
    subscriptions: report.subscriptions.map(
      ({ subscriptionId, action, expirationTime, filters }) => ({
        subscriptionId,
        action,
        expirationTime,
        filters,
      }),
    ),
  });
}
