/**
 * How the alert function's work shows up for operators: a refused event is counted and logged
 * with its reason, each delivered message is counted per channel and logged with its id. Event
 * ids, channels, message ids and reasons only: never the alert's text or a recipient's number.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { InvalidAlertEventError } from './alert-event.ts';
import type { DeliveryResult } from './delivery-runner.ts';

/** The logger and metrics of the function reporting. */
export interface AlertTelemetry {
  logger: Logger;
  metrics: Metrics;
}

/**
 * Counts (`AlertsInvalid`) and logs an event refused before anything was sent, when `error` is an
 * InvalidAlertEventError; any other error is left to the job stack, which logs every failure.
 */
export function recordRefusedAlert(
  eventId: string,
  error: unknown,
  telemetry: AlertTelemetry,
): void {
  if (!(error instanceof InvalidAlertEventError)) return;
  telemetry.metrics.addMetric('AlertsInvalid', MetricUnit.Count, 1);
  telemetry.logger.warn('Alert event refused', { eventId, reason: error.reason });
}

/** Counts (`AlertSmsSent`, `AlertPagerSent`) and logs one delivered message. */
export function recordAlertDelivery(
  eventId: string,
  delivered: DeliveryResult,
  telemetry: AlertTelemetry,
): void {
  telemetry.metrics.addMetric(
    delivered.channel === 'sms' ? 'AlertSmsSent' : 'AlertPagerSent',
    MetricUnit.Count,
    1,
  );
  telemetry.logger.info('Alert delivered', {
    eventId,
    channel: delivered.channel,
    messageId: delivered.messageId,
  });
}
