import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { stringifyJson } from '../ringcentral/index.ts';
import type * as z from '../validation/zod.ts';
import { callerOf } from './caller.ts';
import { deadlineSignal } from './deadline.ts';
import { createLogger } from './logger.ts';
import { createMetrics, MetricName } from './metrics.ts';
import { IDEMPOTENCY_KEY_HEADER, requireIdempotencyKey } from './middleware/idempotency-key.ts';
import { idempotentRequest } from './middleware/idempotent-request.ts';
import { bodyBytes, DEFAULT_MAX_BODY_BYTES, jsonBody } from './middleware/json-body.ts';
import { problemResponder, requestIdOf } from './middleware/problem-responder.ts';
import { HttpProblem } from './problem.ts';

/** What bounds a route's work and whom it answers, in both HTTP stacks. */
export interface HttpInvocation {
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The route's path parameters (`{messageId}`), as API Gateway decoded them. */
  pathParameters: Record<string, string>;
  /** The query string's parameters, as API Gateway decoded them (repeats joined by commas). */
  queryParameters: Record<string, string>;
  /** The IAM caller's principal (`callerOf`); `undefined` on an unauthenticated route. */
  caller: string | undefined;
  /** API Gateway's request id (the JSON stack also answers it as `x-request-id`). */
  requestId: string;
  /** Epoch ms by which the handler must have answered. */
  deadline: number;
  /** Aborts at the deadline; pass it (and the deadline) to the RingCentral client. */
  signal: AbortSignal;
  logger: Logger;
  metrics: Metrics;
}

/** What a route handler receives: the validated body and what bounds its work. */
export interface HttpRequestContext<B> extends HttpInvocation {
  body: B;
  idempotencyKey: string | undefined;
}

/** A route handler's answer; the body is serialised as JSON. */
export interface HttpResult<R> {
  status: number;
  body: R;
  headers?: Record<string, string>;
}

/** A Lambda handler for an API Gateway HTTP API route (payload 2.0). */
export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

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
  /** The detail of the 413 answer above `maxBodyBytes` (what to do instead). */
  bodyTooLargeDetail?: string;
  /** Accept an absent or empty body, validated as `undefined` (webhook handshake). */
  allowEmptyBody?: boolean;
  /** Share the function's logger/metrics (e.g. with `ringCentralHooks`); created when absent. */
  logger?: Logger;
  metrics?: Metrics;
  handler: (request: HttpRequestContext<z.output<S>>) => Promise<HttpResult<R>>;
}

/** The request id, deadline and headers of one invocation, as both stacks give them. */
function invocationOf(
  event: APIGatewayProxyEventV2,
  context: Context,
  logger: Logger,
  metrics: Metrics,
  middySignal: AbortSignal | undefined,
): HttpInvocation {
  const { deadline, signal } = deadlineSignal({
    context,
    safetyMs: HTTP_STACK_DEFAULTS.safetyMs,
    maxDurationMs: HTTP_STACK_DEFAULTS.maxDurationMs,
    fallbackRemainingMs: HTTP_STACK_DEFAULTS.fallbackRemainingMs,
    signal: middySignal,
  });
  return {
    headers: (event.headers ?? {}) as Record<string, string>,
    pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
    queryParameters: (event.queryStringParameters ?? {}) as Record<string, string>,
    caller: callerOf(event),
    requestId: requestIdOf(event) ?? context.awsRequestId ?? 'unknown',
    deadline,
    signal,
    logger,
    metrics,
  };
}

/**
 * The middlewares both HTTP stacks run, outermost first: headers defaulted and the request
 * counted, header names lower-cased, the logger's context and correlation id, the metrics flush,
 * and every error answered as application/problem+json.
 */
function httpMiddlewares(
  logger: Logger,
  metrics: Metrics,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>[] {
  return [
    {
      before: (request) => {
        // Malformed invocations (no headers at all) must still get a problem, not a TypeError.
        request.event.headers ??= {};
        // Also keeps every flush non-empty (Powertools warns on empty metrics).
        metrics.addMetric(MetricName.httpRequests, MetricUnit.Count, 1);
      },
    },
    httpHeaderNormalizer(),
    injectLambdaContext(logger, { resetKeys: true, correlationIdPath: 'requestContext.requestId' }),
    logMetrics(metrics, { captureColdStartMetric: true }),
    problemResponder({ logger, metrics }),
  ];
}

/**
 * Builds a Lambda handler for an API Gateway HTTP API (payload 2.0) route: headers normalised,
 * logger with the request id as correlation id, metrics flushed, JSON body validated, optional
 * Idempotency-Key, every error answered as application/problem+json.
 */
export function createHttpHandler<S extends z.$ZodType, R>(
  options: HttpHandlerOptions<S, R>,
): HttpHandler {
  const logger = options.logger ?? createLogger(options.service);
  const metrics = options.metrics ?? createMetrics(options.service, logger);

  const route = async (
    event: APIGatewayProxyEventV2,
    context: Context,
    middyOptions?: { signal?: AbortSignal },
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const invocation = invocationOf(event, context, logger, metrics, middyOptions?.signal);
    const result = await options.handler({
      ...invocation,
      body: event.body as z.output<S>,
      idempotencyKey: invocation.headers[IDEMPOTENCY_KEY_HEADER],
    });
    const response: APIGatewayProxyStructuredResultV2 = {
      statusCode: result.status,
      headers: { 'x-request-id': invocation.requestId, ...result.headers },
    };
    if (result.body !== undefined) {
      response.headers = { 'content-type': 'application/json', ...response.headers };
      response.body = stringifyJson(result.body);
    }
    return response;
  };

  const stack = middy(route)
    .use(httpMiddlewares(logger, metrics))
    .use(
      jsonBody({
        schema: options.body,
        maxBytes: options.maxBodyBytes,
        ...(options.bodyTooLargeDetail ? { tooLargeDetail: options.bodyTooLargeDetail } : {}),
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
  return stack as unknown as HttpHandler;
}

/** What a raw-body route receives: the body as sent, and what bounds its work. */
export interface RawHttpRequestContext extends HttpInvocation {
  /**
   * The body as text, exactly as sent (decoded from base64 when API Gateway encoded it; `''`
   * when absent). Read on demand, so that a route can refuse an unauthenticated caller before
   * looking at the body: over `maxBodyBytes` it throws a 413 problem.
   */
  body(): string;
}

/** A raw-body route's answer, sent as it is: the stack adds no header and no encoding. */
export interface RawHttpResult {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Options of {@link createRawHttpHandler}. */
export interface RawHttpHandlerOptions {
  /** Service name for logger and metrics. */
  service: string;
  /** Largest body accepted, in bytes as sent; default API Gateway's 10 MB. */
  maxBodyBytes?: number;
  /** Share the function's logger/metrics (e.g. with `ringCentralHooks`); created when absent. */
  logger?: Logger;
  metrics?: Metrics;
  handler: (request: RawHttpRequestContext) => Promise<RawHttpResult>;
}

/**
 * Builds a Lambda handler for a route that must see the exact bytes of the request and choose
 * every byte of its answer (a webhook: a handshake echoing one header, a signature or token over
 * the body). The same middlewares as {@link createHttpHandler} (headers normalised, logger
 * context, metrics, problem+json for every error) without its JSON body, Idempotency-Key and
 * `x-request-id`/`content-type` headers.
 */
export function createRawHttpHandler(options: RawHttpHandlerOptions): HttpHandler {
  const logger = options.logger ?? createLogger(options.service);
  const metrics = options.metrics ?? createMetrics(options.service, logger);
  const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const route = async (
    event: APIGatewayProxyEventV2,
    context: Context,
    middyOptions?: { signal?: AbortSignal },
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const body = (): string => {
      if (bodyBytes(event) > maxBytes) {
        throw new HttpProblem({ status: 413, title: 'Payload too large' });
      }
      const raw = event.body ?? '';
      return event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    };
    const result = await options.handler({
      ...invocationOf(event, context, logger, metrics, middyOptions?.signal),
      body,
    });
    return {
      statusCode: result.status,
      ...(result.headers === undefined ? {} : { headers: result.headers }),
      ...(result.body === undefined ? {} : { body: result.body }),
    };
  };

  return middy(route).use(httpMiddlewares(logger, metrics)) as unknown as HttpHandler;
}
