import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RingCentralHooks } from '../ringcentral/index.ts';

/** The CloudWatch namespace of every metric of the project. */
export const METRICS_NAMESPACE = 'RingCentralMessageAutomation';

/** Names of the metrics the runtime emits (functions add their own, e.g. `SmsSent`). */
export const MetricName = {
  ringCentralRequests: 'RingCentralRequests',
  ringCentralRetries: 'RingCentralRetries',
  ringCentralRateLimited: 'RingCentral429s',
  rateLimitWaits: 'RateLimitWaits',
  rateLimitWaitTime: 'RateLimitWaitTime',
  httpRequests: 'HttpRequests',
  httpClientErrors: 'HttpClientErrors',
  httpServerErrors: 'HttpServerErrors',
  jobRuns: 'JobRuns',
  jobFailures: 'JobFailures',
} as const;

/**
 * A Powertools Metrics instance (EMF on stdout) in the project's namespace. Its own warnings (an
 * invocation that flushes no metric) go through `logger` when given: structured, redacted and at
 * the function's log level, instead of plain text on stdout.
 */
export function createMetrics(serviceName: string, logger?: Logger): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName, ...(logger ? { logger } : {}) });
}

/**
 * RingCentral client hooks that log (method, URL without query, status; never tokens or bodies)
 * and count requests, waits, retries and 429s.
 */
export function ringCentralHooks(logger: Logger, metrics: Metrics): RingCentralHooks {
  return {
    onResponse: (info) => {
      metrics.addMetric(MetricName.ringCentralRequests, MetricUnit.Count, 1);
      logger.debug('RingCentral response', {
        method: info.method,
        url: info.url,
        group: info.group,
        status: info.status,
        attempt: info.attempt,
        durationMs: Math.round(info.durationMs),
        remaining: info.rateLimit.remaining,
      });
    },
    onWait: (info) => {
      metrics.addMetric(MetricName.rateLimitWaits, MetricUnit.Count, 1);
      if (info.waitMs !== undefined) {
        metrics.addMetric(MetricName.rateLimitWaitTime, MetricUnit.Milliseconds, info.waitMs);
      }
      logger.info('Waiting for the RingCentral rate limit', {
        group: info.group,
        reason: info.reason,
        waitMs: info.waitMs,
      });
    },
    onRetry: (info) => {
      metrics.addMetric(MetricName.ringCentralRetries, MetricUnit.Count, 1);
      logger.warn('Retrying a RingCentral request', {
        method: info.method,
        url: info.url,
        reason: info.reason,
        status: info.status,
        attempt: info.attempt,
        delayMs: info.delayMs,
      });
    },
    onRateLimited: (info) => {
      metrics.addMetric(MetricName.ringCentralRateLimited, MetricUnit.Count, 1);
      logger.warn('RingCentral answered 429', {
        method: info.method,
        url: info.url,
        group: info.group,
        retryAfterMs: info.retryAfterMs,
      });
    },
  };
}

export type { Metrics };
export { MetricUnit };
