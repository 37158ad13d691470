/**
 * A lease makes the token refresher single: a refresh token is single-use, so two refreshers
 * racing with the same one would leave one of them (and every function reading its result)
 * with a dead session.
 */

/** Where leases live (the state table implements it with conditional writes). */
export interface LeaseStore {
  /** True when acquired; the lease lapses by itself after `ttlMs`. */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;
}

/** Which lease, who takes it, for how long. */
export interface LeaseRequest {
  name: string;
  /** Unique per invocation (e.g. the Lambda request id). */
  owner: string;
  /** Must outlast the work: a lapsed lease lets a second holder in. */
  ttlMs: number;
}

/** What `withLease` did. */
export type LeaseOutcome<T> = { acquired: true; value: T } | { acquired: false };

/**
 * Runs `work` while holding the lease, releasing it afterwards even when `work` throws.
 * When someone else holds it, `work` does not run.
 */
export async function withLease<T>(
  store: LeaseStore,
  request: LeaseRequest,
  work: () => Promise<T>,
): Promise<LeaseOutcome<T>> {
  if (!(await store.acquireLease(request.name, request.owner, request.ttlMs))) {
    return { acquired: false };
  }
  try {
    return { acquired: true, value: await work() };
  } finally {
    await store.releaseLease(request.name, request.owner);
  }
}
