/**
 * How long a group stays silent after a 429.
 *
 * RingCentral restarts a penalty on every request that arrives during it. When several processes
 * share a user's budget and all wait exactly Retry-After, their probes land close together: the
 * first restarts the penalty, the next one is refused and restarts it again, and so on for ever.
 * So a probe that is refused again (the group's n-th 429 in a row) waits Retry-After plus a random
 * extra drawn uniformly from [0, min(cap, base x 2^(n-1))) ("full jitter"): the probes of several
 * processes spread over a range that doubles with each refusal until one lands a full penalty
 * after every other, and from then on nobody restarts anybody's penalty.
 */
export interface PenaltyBackoff {
  /** Extra range after the first 429, as a fraction of Retry-After. */
  baseFraction: number;
  /** The largest extra range, as a multiple of Retry-After. */
  capMultiple: number;
}

/** Default: up to +25% after the first 429, doubling per refused probe, at most +4 x Retry-After. */
export const DEFAULT_PENALTY_BACKOFF: Readonly<PenaltyBackoff> = {
  baseFraction: 0.25,
  capMultiple: 4,
};

/**
 * The wait after the `consecutive`-th 429 in a row (1 for the first) with `retryAfterMs` from the
 * server; `random` returns a number in [0, 1).
 */
export function penaltyWaitMs(
  retryAfterMs: number,
  consecutive: number,
  random: () => number,
  backoff: PenaltyBackoff = DEFAULT_PENALTY_BACKOFF,
): number {
  const range = Math.min(
    retryAfterMs * backoff.capMultiple,
    retryAfterMs * backoff.baseFraction * 2 ** Math.max(0, consecutive - 1),
  );
  return retryAfterMs + Math.floor(random() * range);
}
