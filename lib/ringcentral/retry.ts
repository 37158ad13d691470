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
