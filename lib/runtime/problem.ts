import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  AbortedError,
  AuthError,
  DeadlineExceededError,
  InvalidInputError,
  InvalidRequestError,
  NotFoundError,
  RateBudgetExhaustedError,
  RateLimitedError,
  RingCentralError,
  ServerError,
  TransportError,
} from '../ringcentral/index.ts';
import { fieldIssues } from '../validation/issues.ts';
import * as z from '../validation/zod.ts';

/** One field-level fault of a request. `field` is a path into the body (`to[0].phoneNumber`) or a header name. */
export interface FieldError {
  field: string;
  message: string;
}

/** What builds an {@link HttpProblem}. */
export interface HttpProblemInit {
  status: number;
  title: string;
  detail?: string;
  /** A URI reference naming the problem type; `about:blank` when the status says it all. */
  type?: string;
  errors?: FieldError[];
  /** Sent as the Retry-After header (seconds). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** An HTTP error as RFC 9457 problem details. Throw it from a handler to answer with it. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly type: string;
  readonly errors: FieldError[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(init: HttpProblemInit) {
    super(
      init.detail ? `${init.title}: ${init.detail}` : init.title,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.type = init.type ?? 'about:blank';
    this.errors = init.errors;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/** Prefix of the problem type URIs this project defines. */
export const PROBLEM_TYPE_BASE = 'urn:ringcentral-message-automation:problem:';

/** Type URIs of the project's problems, documented in the OpenAPI document. */
export const ProblemType = {
  validation: `${PROBLEM_TYPE_BASE}validation`,
  idempotencyKeyInUse: `${PROBLEM_TYPE_BASE}idempotency-key-in-use`,
  idempotencyKeyReused: `${PROBLEM_TYPE_BASE}idempotency-key-reused`,
  outcomeUnknown: `${PROBLEM_TYPE_BASE}outcome-unknown`,
  rateLimited: `${PROBLEM_TYPE_BASE}upstream-rate-limited`,
  upstreamUnavailable: `${PROBLEM_TYPE_BASE}upstream-unavailable`,
  upstreamRejected: `${PROBLEM_TYPE_BASE}upstream-rejected`,
  upstreamTimeout: `${PROBLEM_TYPE_BASE}upstream-timeout`,
  unsupportedDocument: `${PROBLEM_TYPE_BASE}unsupported-document`,
  senderNotUsable: `${PROBLEM_TYPE_BASE}sender-not-usable`,
  recipientsOptedOut: `${PROBLEM_TYPE_BASE}recipients-opted-out`,
} as const;

const seconds = (ms: number | undefined, fallback: number): number =>
  ms === undefined || !Number.isFinite(ms) || ms <= 0
    ? fallback
    : Math.max(1, Math.ceil(ms / 1000));

/** RingCentral's own field errors (parameterName) as ours; values are never echoed. */
function upstreamFieldErrors(error: RingCentralError): FieldError[] | undefined {
  const fields = error.errors
    .filter((entry) => typeof entry.parameterName === 'string' && entry.parameterName !== '')
    .map((entry) => ({ field: String(entry.parameterName), message: entry.message }));
  return fields.length > 0 ? fields : undefined;
}

/**
 * Maps a zod error to field errors in the project's one wording (`to[0]`, "is required";
 * lib/validation/issues.ts); the input value is never echoed.
 */
export function fieldErrorsOf(error: z.$ZodError): FieldError[] {
  return fieldIssues(error, { whole: '(body)' });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * True when a non-idempotent request (a send) may have reached RingCentral although no answer
 * came: the connection failed after sending, or the deadline/abort cut the exchange short (the
 * client sets method and url only on errors from an exchange, not on waits before it).
 */
export function mayHaveBeenDelivered(error: unknown): boolean {
  if (error instanceof TransportError) return error.mayHaveBeenReceived;
  if (error instanceof DeadlineExceededError || error instanceof AbortedError) {
    return (
      error.method !== undefined &&
      error.url !== undefined &&
      !SAFE_METHODS.has(error.method.toUpperCase())
    );
  }
  return false;
}

function isTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError') return true;
  return error.cause instanceof Error && error.cause.name === 'TimeoutError';
}

function fromRingCentral(error: RingCentralError): HttpProblem {
  if (!(error instanceof TransportError) && mayHaveBeenDelivered(error)) {
    return new HttpProblem({
      status: 504,
      title: 'Outcome unknown',
      detail:
        'RingCentral did not answer in time after the request was sent; it may have been processed.',
      type: ProblemType.outcomeUnknown,
      cause: error,
    });
  }
  if (error instanceof RateLimitedError) {
    return new HttpProblem({
      status: 503,
      title: 'RingCentral rate limit reached',
      detail: 'RingCentral asked us to slow down; retry after the stated delay.',
      type: ProblemType.rateLimited,
      retryAfterSeconds: seconds(error.retryAfterMs, 30),
      cause: error,
    });
  }
  if (error instanceof RateBudgetExhaustedError) {
    return new HttpProblem({
      status: 503,
      title: 'RingCentral capacity exhausted for now',
      detail:
        'Every slot of the shared RingCentral budget is taken until after this request must end.',
      type: ProblemType.rateLimited,
      retryAfterSeconds: error.retryAfterSeconds,
      cause: error,
    });
  }
  if (error instanceof DeadlineExceededError) {
    return new HttpProblem({
      status: 503,
      title: 'RingCentral capacity exhausted for now',
      detail:
        'The request could not be sent within this invocation without exceeding the rate limit.',
      type: ProblemType.rateLimited,
      retryAfterSeconds: seconds(error.waitMs, 5),
      cause: error,
    });
  }
  if (error instanceof AbortedError || isTimeout(error)) {
    return new HttpProblem({
      status: 504,
      title: 'RingCentral did not answer in time',
      type: ProblemType.upstreamTimeout,
      retryAfterSeconds: 5,
      cause: error,
    });
  }
  if (error instanceof TransportError) {
    return new HttpProblem({
      status: 502,
      title: error.mayHaveBeenReceived ? 'Outcome unknown' : 'RingCentral unreachable',
      detail: error.mayHaveBeenReceived
        ? 'The connection to RingCentral failed after the request was sent; it may have been processed.'
        : 'The request did not reach RingCentral.',
      type: error.mayHaveBeenReceived
        ? ProblemType.outcomeUnknown
        : ProblemType.upstreamUnavailable,
      retryAfterSeconds: 5,
      cause: error,
    });
  }
  if (error instanceof ServerError) {
    return new HttpProblem({
      status: 502,
      title: 'RingCentral failed',
      detail: `RingCentral answered ${error.status ?? 'an error'}.`,
      type: ProblemType.upstreamUnavailable,
      retryAfterSeconds: 10,
      cause: error,
    });
  }
  if (error.name === 'SessionUnavailableError') {
    return new HttpProblem({
      status: 503,
      title: 'RingCentral session not available yet',
      type: ProblemType.upstreamUnavailable,
      retryAfterSeconds: 30,
      cause: error,
    });
  }
  if (error instanceof AuthError || error instanceof NotFoundError) {
    // Our credentials or account configuration, not the caller's data.
    return new HttpProblem({
      status: 502,
      title: 'RingCentral rejected our request',
      detail: error.errorCode ? `RingCentral error ${error.errorCode}.` : undefined,
      type: ProblemType.upstreamRejected,
      retryAfterSeconds: 60,
      cause: error,
    });
  }
  if (error instanceof InvalidInputError) {
    return new HttpProblem({
      status: 400,
      title: 'Invalid request',
      detail: error.message,
      type: ProblemType.validation,
      errors: upstreamFieldErrors(error),
      cause: error,
    });
  }
  if (error instanceof InvalidRequestError) {
    const code = error.errorCode ?? '';
    if (code === 'MSG-348' || error.status === 415) {
      return new HttpProblem({
        status: 415,
        title: 'Unsupported document type',
        detail: 'RingCentral cannot render one of the documents (MSG-348).',
        type: ProblemType.unsupportedDocument,
        cause: error,
      });
    }
    if (error.status === 413 || code === 'MSG-337' || code === 'MSG-338') {
      return new HttpProblem({
        status: 413,
        title: 'Content too large',
        detail: code ? `RingCentral error ${code}.` : undefined,
        cause: error,
      });
    }
    return new HttpProblem({
      status: 422,
      title: /^SMS-CAR-45\d$/.test(code) ? 'Rejected by the carrier' : 'Rejected by RingCentral',
      detail: code
        ? `RingCentral error ${code}: ${error.errors[0]?.message ?? ''}`.trim()
        : undefined,
      type: ProblemType.upstreamRejected,
      errors: upstreamFieldErrors(error),
      cause: error,
    });
  }
  return new HttpProblem({
    status: 502,
    title: 'RingCentral failed',
    type: ProblemType.upstreamUnavailable,
    retryAfterSeconds: 10,
    cause: error,
  });
}

/**
 * Maps any error to a problem: HttpProblem as is; zod errors -> 400 with field errors; idempotency
 * conflicts -> 409/422; RingCentral errors by class (429 -> 503 + Retry-After, MSG-348 -> 415,
 * SMS-CAR-45x -> 422, transport/5xx -> 502, timeouts -> 504); anything else -> 500 with no detail.
 * Never a stack trace, never an input value.
 */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof z.$ZodError) {
    return new HttpProblem({
      status: 400,
      title: 'Invalid request',
      type: ProblemType.validation,
      errors: fieldErrorsOf(error),
      cause: error,
    });
  }
  if (error instanceof RingCentralError) return fromRingCentral(error);
  if (error instanceof Error) {
    switch (error.name) {
      case 'IdempotencyAlreadyInProgressError':
        return new HttpProblem({
          status: 409,
          title: 'Request with this Idempotency-Key in progress',
          detail: 'Another request with the same Idempotency-Key is being processed.',
          type: ProblemType.idempotencyKeyInUse,
          retryAfterSeconds: 1,
          cause: error,
        });
      case 'IdempotencyValidationError':
        return new HttpProblem({
          status: 422,
          title: 'Idempotency-Key reused with a different body',
          type: ProblemType.idempotencyKeyReused,
          errors: [{ field: 'idempotency-key', message: 'was used before with a different body' }],
          cause: error,
        });
      case 'IdempotencyKeyError':
        return new HttpProblem({
          status: 400,
          title: 'Invalid request',
          type: ProblemType.validation,
          errors: [{ field: 'idempotency-key', message: 'is required' }],
          cause: error,
        });
      case 'MessageNotFoundError':
        return new HttpProblem({ status: 404, title: 'Message not found', cause: error });
      case 'BatchNotFoundError':
        return new HttpProblem({ status: 404, title: 'Batch not found', cause: error });
      case 'NoRecipientLeftError':
        return new HttpProblem({
          status: 422,
          title: 'Every recipient has opted out',
          detail: 'Every recipient replied STOP to this sender; nothing was sent.',
          type: ProblemType.recipientsOptedOut,
          cause: error,
        });
      case 'SenderNumberError':
        // Our configuration, found at cold start: the same for every send until it is fixed.
        return new HttpProblem({
          status: 503,
          title: 'The configured sender cannot send',
          detail: error.message,
          type: ProblemType.senderNotUsable,
          retryAfterSeconds: 300,
          cause: error,
        });
      case 'IdempotencyPersistenceLayerError':
        return new HttpProblem({
          status: 503,
          title: 'Service temporarily unavailable',
          retryAfterSeconds: 2,
          cause: error,
        });
    }
    if (isTimeout(error)) {
      return new HttpProblem({
        status: 504,
        title: 'Timed out',
        type: ProblemType.upstreamTimeout,
        retryAfterSeconds: 5,
        cause: error,
      });
    }
  }
  return new HttpProblem({ status: 500, title: 'Internal error', cause: error });
}

/** The JSON body of a problem response. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  requestId?: string;
}

/** Renders a problem as an API Gateway (payload 2.0) response with `application/problem+json`. */
export function problemResponse(
  problem: HttpProblem,
  requestId?: string,
): APIGatewayProxyStructuredResultV2 {
  const body: ProblemBody = { type: problem.type, title: problem.title, status: problem.status };
  if (problem.detail !== undefined) body.detail = problem.detail;
  if (problem.errors !== undefined) body.errors = problem.errors;
  if (requestId !== undefined) body.requestId = requestId;
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (problem.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(problem.retryAfterSeconds);
  }
  if (requestId !== undefined) headers['x-request-id'] = requestId;
  return { statusCode: problem.status, headers, body: JSON.stringify(body) };
}
