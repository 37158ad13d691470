import type { RateLimitState } from './errors.ts';
import {
  AbortedError,
  DeadlineExceededError,
  errorFromResponse,
  type RingCentralError,
  TransportError,
} from './errors.ts';
import { parseJson } from './json.ts';
import { isIdempotentMethod, neverReachedServer } from './retry.ts';

/** Reads the rate-limit headers of a response. */
export function rateLimitState(headers: Headers): RateLimitState {
  const number = (name: string): number | undefined => {
    const raw = headers.get(name);
    if (raw === null || raw.trim() === '') return undefined;
    const value = Number(raw);
    return Number.isFinite(value) ? value : undefined;
  };
  return {
    group: headers.get('x-rate-limit-group') ?? undefined,
    limit: number('x-rate-limit-limit'),
    remaining: number('x-rate-limit-remaining'),
    windowSeconds: number('x-rate-limit-window'),
  };
}

/** Retry-After in ms (seconds or HTTP date); `fallbackMs` when absent or unreadable. */
export function retryAfter(headers: Headers, fallbackMs: number, now = Date.now()): number {
  const raw = headers.get('retry-after');
  if (raw === null || raw.trim() === '') return fallbackMs;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? fallbackMs : Math.max(0, date - now);
}

/** Where a failed exchange was going, for the error it becomes. */
export interface ExchangeTarget {
  method: string;
  /** URL without its query string. */
  url: string;
}

/** Why the exchange's signal fired, if it did. */
export interface ExchangeEnd {
  /** The deadline's own signal fired (not the caller's). */
  deadline: boolean;
  /** The caller's signal fired. */
  aborted: boolean;
}

/**
 * Maps an exchange that failed without a response (fetch threw) to our error classes: the
 * deadline, the caller's abort, or a TransportError that says whether a non-idempotent request
 * may have been received (then it must not be repeated blindly).
 */
export function errorFromFailedExchange(
  error: unknown,
  target: ExchangeTarget,
  end: ExchangeEnd,
): RingCentralError {
  const { method, url } = target;
  if (end.deadline) {
    return new DeadlineExceededError(
      `${method} ${url} did not finish before the deadline`,
      undefined,
      {
        cause: error,
        method,
        url,
      },
    );
  }
  if (end.aborted) {
    return new AbortedError(`${method} ${url} was aborted`, { cause: error, method, url });
  }
  const received = !neverReachedServer(error);
  return new TransportError(
    `${method} ${url} failed without a response: ${describe(error)}`,
    received && !isIdempotentMethod(method),
    { cause: error, method, url },
  );
}

/**
 * A pacer wait that ran out of time after an earlier attempt failed: the deadline error names
 * that failure, so the caller learns what the retry was for.
 */
export function deadlineAfter(error: unknown, lastError: RingCentralError | undefined): unknown {
  if (!(error instanceof DeadlineExceededError) || !lastError) return error;
  return new DeadlineExceededError(`${error.message} (after: ${lastError.message})`, error.waitMs, {
    cause: lastError,
    status: lastError.status,
    errorCode: lastError.errorCode,
    rateLimit: lastError.rateLimit,
  });
}

/** Turns a non-2xx response into the RingCentralError its status and body call for. */
export async function errorFromHttpResponse(
  response: Response,
  details: ExchangeTarget & { rateLimit: RateLimitState; retryAfterMs: number | undefined },
): Promise<RingCentralError> {
  return errorFromResponse(response.status, await readErrorBody(response), {
    ...details,
    requestId:
      response.headers.get('rcrequestid') ?? response.headers.get('x-request-id') ?? undefined,
  });
}

async function readErrorBody(response: Response): Promise<unknown> {
  try {
    const text = await response.text();
    if (text.trim() === '') return undefined;
    try {
      return parseJson(text);
    } catch {
      return { message: text.slice(0, 500) };
    }
  } catch {
    return undefined;
  }
}

/** An error and its causes with their system codes, for a TransportError's message. */
function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${current.message} (${code})` : current.message);
    current = current.cause;
  }
  return parts.join(': ') || String(error);
}
