import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describeIssues } from '../validation/issues.ts';
import * as z from '../validation/zod.ts';
import { deadlineSignal } from './deadline.ts';
import { createLogger } from './logger.ts';
import { createMetrics, MetricName } from './metrics.ts';

/** What a scheduled or event job receives besides its event. */
export interface JobContext {
  /** Epoch ms by which the job must have stopped (at a checkpoint). */
  deadline: number;
  /** Aborts at the deadline; pass it (and the deadline) to the RingCentral client. */
  signal: AbortSignal;
  logger: Logger;
  metrics: Metrics;
  lambdaContext: Context;
}

/**
 * The event did not match the job's schema. Thrown (not answered) so that the invocation fails
 * and an asynchronous event lands in the DLQ with this reason.
 */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
  /** Which fields were wrong and why; never their values. */
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`Invalid event: ${reason}`, options);
    this.reason = reason;
  }
}

/** Default settings of the job stack. */
export const JOB_STACK_DEFAULTS = {
  /** Left for the last checkpoint and the metrics flush. */
  safetyMs: 2_000,
  /** What an invocation without a Lambda context gets. */
  fallbackRemainingMs: 60_000,
};

/** Options of {@link createJobHandler}. */
export interface JobHandlerOptions<E, R> {
  /** Service name for logger and metrics. */
  service: string;
  /** Validates the event; a mismatch throws InvalidEventError naming the fields. */
  event?: z.$ZodType<E>;
  /** Milliseconds kept free before Lambda's own timeout; default 2 s. */
  safetyMs?: number;
  /** Share the function's logger/metrics (e.g. with `ringCentralHooks`); created when absent. */
  logger?: Logger;
  metrics?: Metrics;
  handler: (event: E, job: JobContext) => Promise<R>;
}

/**
 * Builds a Lambda handler for scheduled and event invocations: the deadline comes from the
 * context (minus `safetyMs`) and its signal aborts there; logs are structured and redacted;
 * metrics are flushed; failures are logged, counted and rethrown so Lambda retries or dead-letters.
 */
export function createJobHandler<E, R>(
  options: JobHandlerOptions<E, R>,
): (event: unknown, context: Context) => Promise<R> {
  const logger = options.logger ?? createLogger(options.service);
  const metrics = options.metrics ?? createMetrics(options.service, logger);
  const safetyMs = options.safetyMs ?? JOB_STACK_DEFAULTS.safetyMs;

  const job = async (
    event: unknown,
    lambdaContext: Context,
    middyOptions?: { signal?: AbortSignal },
  ): Promise<R> => {
    let parsed: E;
    if (options.event) {
      const result = z.safeParse(options.event, event);
      if (!result.success) {
        throw new InvalidEventError(describeIssues(result.error, { whole: '(event)' }), {
          cause: result.error,
        });
      }
      parsed = result.data;
    } else {
      parsed = event as E;
    }
    const { deadline, signal } = deadlineSignal({
      context: lambdaContext,
      safetyMs,
      fallbackRemainingMs: JOB_STACK_DEFAULTS.fallbackRemainingMs,
      signal: middyOptions?.signal,
    });
    return options.handler(parsed, { deadline, signal, logger, metrics, lambdaContext });
  };

  return middy(job)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use({
      before: () => {
        // Also keeps every flush non-empty (Powertools warns on empty metrics).
        metrics.addMetric(MetricName.jobRuns, MetricUnit.Count, 1);
      },
      onError: (request) => {
        metrics.addMetric(MetricName.jobFailures, MetricUnit.Count, 1);
        logger.error('Job failed', { error: request.error });
      },
    }) as unknown as (event: unknown, context: Context) => Promise<R>;
}
