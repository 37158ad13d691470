import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { stringifyJson } from '../ringcentral/index.ts';
import type * as z from '../validation/zod.ts';
import { deadlineSignal } from './deadline.ts';
import { createLogger } from './logger.ts';
import { createMetrics, MetricName } from './metrics.ts';
import { IDEMPOTENCY_KEY_HEADER, requireIdempotencyKey } from './middleware/idempotency-key.ts';
import { idempotentRequest } from './middleware/idempotent-request.ts';
import { jsonBody } from './middleware/json-body.ts';
import { problemResponder, requestIdOf } from './middleware/problem-responder.ts';

/** What a route handler receives: the validated body and what bounds its work. */
export interface HttpRequestContext<B> {
  body: B;
  /** Lower-case header names. */
  headers: Record<string, string>;
  idempotencyKey: string | undefined;
  /** API Gateway's request id (also the `x-request-id` response header). */
  requestId: string;
  /** Epoch ms by which the handler must have answered. */
  deadline: number;
  /** Aborts at the deadline; pass it (and the deadline) to the RingCentral client. */
  signal: AbortSignal;
  logger: Logger;
  metrics: Metrics;
}

/** A route handler's answer; the body is serialised as JSON. */
export interface HttpResult<R> {
  status: number;
  body: R;
  headers?: Record<string, string>;
}

/** Settings shared by the stack's defaults. */
export const HTTP_STACK_DEFAULTS = {
  /** API Gateway HTTP APIs give up after 30 s. */
  maxDurationMs: 29_000,
  /** Left for writing the idempotency record and the response. */
  safetyMs: 750,
  /** What an invocation without a Lambda context (tests, local gateway) gets. */
  fallbackRemainingMs: 29_000,
};

/** Options of {@link createHttpHandler}. */
export interface HttpHandlerOptions<S extends z.$ZodType, R> {
  /** Service name for logger and metrics. */
  service: string;
  /** Validates the parsed JSON body (invalid JSON -> 400, wrong content type -> 415, too large -> 413). */
  body: S;
  /**
   * Idempotency-Key header required (400 if missing/invalid); a concurrent duplicate -> 409; a
   * repeat after completion -> the stored response; the same key with a different body -> 422.
   */
  idempotency?: {
    required: true;
    persistence: BasePersistenceLayer;
    expiresAfterSeconds?: number;
  };
  /** Largest body accepted, in bytes as sent; default API Gateway's 10 MB. */
  maxBodyBytes?: number;
  /** Accept an absent or empty body, validated as `undefined` (webhook handshake). */
  allowEmptyBody?: boolean;
  /** Share the function's logger/metrics (e.g. with `ringCentralHooks`); created when absent. */
  logger?: Logger;
  metrics?: Metrics;
  handler: (request: HttpRequestContext<z.output<S>>) => Promise<HttpResult<R>>;
}

/**
 * Builds a Lambda handler for an API Gateway HTTP API (payload 2.0) route: headers normalised,
 * logger with the request id as correlation id, metrics flushed, JSON body validated, optional
 * Idempotency-Key, every error answered as application/problem+json.
 */
export function createHttpHandler<S extends z.$ZodType, R>(
  options: HttpHandlerOptions<S, R>,
): (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2> {
  const logger = options.logger ?? createLogger(options.service);
  const metrics = options.metrics ?? createMetrics(options.service, logger);

  const route = async (
    event: APIGatewayProxyEventV2,
    context: Context,
    middyOptions?: { signal?: AbortSignal },
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = requestIdOf(event) ?? context.awsRequestId ?? 'unknown';
    const { deadline, signal } = deadlineSignal({
      context,
      safetyMs: HTTP_STACK_DEFAULTS.safetyMs,
      maxDurationMs: HTTP_STACK_DEFAULTS.maxDurationMs,
      fallbackRemainingMs: HTTP_STACK_DEFAULTS.fallbackRemainingMs,
      signal: middyOptions?.signal,
    });
    const headers = (event.headers ?? {}) as Record<string, string>;
    const result = await options.handler({
      body: event.body as z.output<S>,
      headers,
      idempotencyKey: headers[IDEMPOTENCY_KEY_HEADER],
      requestId,
      deadline,
      signal,
      logger,
      metrics,
    });
    const response: APIGatewayProxyStructuredResultV2 = {
      statusCode: result.status,
      headers: { 'x-request-id': requestId, ...result.headers },
    };
    if (result.body !== undefined) {
      response.headers = { 'content-type': 'application/json', ...response.headers };
      response.body = stringifyJson(result.body);
    }
    return response;
  };

  const stack = middy(route)
    .use({
      before: (request) => {
        // Malformed invocations (no headers at all) must still get a problem, not a TypeError.
        request.event.headers ??= {};
        // Also keeps every flush non-empty (Powertools warns on empty metrics).
        metrics.addMetric(MetricName.httpRequests, MetricUnit.Count, 1);
      },
    })
    .use(httpHeaderNormalizer())
    .use(
      injectLambdaContext(logger, {
        resetKeys: true,
        correlationIdPath: 'requestContext.requestId',
      }),
    )
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(problemResponder({ logger, metrics }))
    .use(
      jsonBody({
        schema: options.body,
        maxBytes: options.maxBodyBytes,
        allowEmptyBody: options.allowEmptyBody,
      }),
    );
  if (options.idempotency) {
    stack.use(requireIdempotencyKey()).use(
      idempotentRequest({
        persistence: options.idempotency.persistence,
        expiresAfterSeconds: options.idempotency.expiresAfterSeconds,
        keyPrefix: options.service,
        logger,
      }),
    );
  }
  return stack as unknown as (
    event: APIGatewayProxyEventV2,
    context: Context,
  ) => Promise<APIGatewayProxyStructuredResultV2>;
}
