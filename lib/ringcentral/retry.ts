import { type RingCentralError, TransportError } from './errors.ts';

/** How 5xx and network failures are retried: exponential backoff with a cap. */
export interface BackoffOptions {
  /** First delay; RingCentral asks for 2 s. */
  baseMs?: number;
  /** Largest single delay. */
  maxMs?: number;
  /** Retries after the first attempt. */
  maxRetries?: number;
}

/** Resolved backoff settings. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  maxRetries: number;
}

/** Fills in RingCentral's documented defaults. */
export function backoffPolicy(options: BackoffOptions = {}): BackoffPolicy {
  return {
    baseMs: options.baseMs ?? 2_000,
    maxMs: options.maxMs ?? 30_000,
    maxRetries: options.maxRetries ?? 4,
  };
}

/** Delay before retry number `retry` (1-based): base, 2 x base, 4 x base, ... capped. */
export function backoffDelay(policy: BackoffPolicy, retry: number): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
}

/** Methods whose repetition cannot cause a second effect. */
export function isIdempotentMethod(method: string): boolean {
  const upper = method.toUpperCase();
  return upper === 'GET' || upper === 'HEAD' || upper === 'PUT' || upper === 'DELETE';
}

/**
 * Whether a failed connection proves the request never reached the server. Only then may a POST
 * be repeated after a network error.
 */
export function neverReachedServer(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** What about a request decides whether it may be sent again. */
export interface RetryTraits {
  /** GET, HEAD, PUT or DELETE: repeating it cannot cause a second effect. */
  idempotent: boolean;
  /** Its body can be produced again (not a one-shot stream). */
  replayable: boolean;
  /** It carries a bearer token from a token source, which a 401 may have to replace. */
  bearer: boolean;
}

/** Retries spent so far by one request. */
export interface RetryCounts {
  /** Network, 429 and 5xx retries; bounded by `maxRetries`. */
  retries: number;
  /** 401 retries with a newer token; bounded by `maxRetries` on their own (at least 1). */
  reauthentications: number;
}

/** One failed attempt, as the retry decision sees it. */
export interface FailedAttempt {
  /** What the request ends with if it is not retried. */
  error: RingCentralError;
  /** The response's Retry-After in ms (for a 429 without one, the assumed penalty); 0 if none. */
  retryAfterMs: number;
}

/** Whether and how to go again after a failed attempt. */
export type RetryDecision =
  | { retry: false }
  | {
      retry: true;
      reason: 'server-error' | 'network' | 'rate-limited' | 'auth';
      /** What the onRetry hook reports as the delay before the next attempt. */
      delayMs: number;
      /** How long the loop itself sleeps; absent when the pacer or the token source waits. */
      backoffMs?: number;
      status?: number;
    };

/** RingCentral's codes for an expired or unknown access token: a newer token may succeed. */
const TOKEN_REJECTED_CODES = new Set(['OAU-210', 'OAU-213']);

const STOP: RetryDecision = { retry: false };

/**
 * Decides whether a failed attempt is repeated: a network failure when the request provably did
 * not arrive or is idempotent; a 429 always (it proves the request was not processed), after the
 * penalty, which the pacer enforces; a rejected token with a newer one; a 5xx when idempotent,
 * after backoff (at least a 503's Retry-After). Nothing is repeated whose body cannot be replayed.
 */
export function decideRetry(
  failure: FailedAttempt,
  traits: RetryTraits,
  counts: RetryCounts,
  policy: BackoffPolicy,
): RetryDecision {
  const { error } = failure;
  const budgetLeft = counts.retries < policy.maxRetries && traits.replayable;
  if (error instanceof TransportError) {
    if (!budgetLeft || error.mayHaveBeenReceived) return STOP;
    const delayMs = backoffDelay(policy, counts.retries + 1);
    return { retry: true, reason: 'network', delayMs, backoffMs: delayMs };
  }
  const status = error.status;
  if (status === 429) {
    if (!budgetLeft) return STOP;
    return { retry: true, reason: 'rate-limited', delayMs: failure.retryAfterMs, status };
  }
  if (status === 401) {
    const tokenRejected =
      error.errorCode === undefined || TOKEN_REJECTED_CODES.has(error.errorCode);
    // At least once whatever the budget: a token that expired between reading and sending.
    const reauthenticationsLeft = counts.reauthentications < Math.max(1, policy.maxRetries);
    if (!traits.bearer || !tokenRejected || !reauthenticationsLeft) {
      return STOP;
    }
    return { retry: true, reason: 'auth', delayMs: 0, status };
  }
  if (status !== undefined && status >= 500 && traits.idempotent && budgetLeft) {
    const serverAsked = status === 503 ? failure.retryAfterMs : 0;
    const delayMs = Math.max(backoffDelay(policy, counts.retries + 1), serverAsked);
    return { retry: true, reason: 'server-error', delayMs, backoffMs: delayMs, status };
  }
  return STOP;
}
