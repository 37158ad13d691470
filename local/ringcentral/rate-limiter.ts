/**
 * RingCentral's rate limits: per user and app, per group, a sliding log window; over the limit
 * the group enters a penalty, and every request sent during the penalty restarts it.
 */

/** The throttling groups of the spec's `x-throttling-group`. */
export type RateLimitGroup = 'Light' | 'Medium' | 'Heavy' | 'Auth';

/** Every group, in a fixed order. */
export const RATE_LIMIT_GROUPS: readonly RateLimitGroup[] = ['Light', 'Medium', 'Heavy', 'Auth'];

/** RingCentral's documented defaults (requests per window). */
export const DEFAULT_GROUP_LIMITS: Record<
  RateLimitGroup,
  { limit: number; windowSeconds: number }
> = {
  Light: { limit: 50, windowSeconds: 60 },
  Medium: { limit: 40, windowSeconds: 60 },
  Heavy: { limit: 10, windowSeconds: 60 },
  Auth: { limit: 5, windowSeconds: 60 },
};

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  enabled?: boolean;
  /** Multiplies every window and the penalty (0.05 => 60 s becomes 3 s). */
  windowScale?: number;
  groups?: Partial<Record<RateLimitGroup, { limit: number; windowSeconds: number }>>;
  penaltySeconds?: number;
  now?: () => number;
}

/** The outcome of one request against the limiter. */
export interface RateDecision {
  allowed: boolean;
  /** X-Rate-Limit-* headers (and Retry-After when refused). */
  headers: Record<string, string>;
}

interface Bucket {
  log: number[];
  penaltyUntil: number;
}

/** Sliding-log rate limiter keyed by (user+app, group). */
export class RateLimiter {
  private readonly enabled: boolean;
  private readonly scale: number;
  private readonly groups: Record<RateLimitGroup, { limit: number; windowSeconds: number }>;
  private readonly penaltyMs: number;
  private readonly now: () => number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: RateLimiterOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.scale = options.windowScale ?? 1;
    this.groups = { ...DEFAULT_GROUP_LIMITS, ...options.groups };
    this.penaltyMs = (options.penaltySeconds ?? 60) * 1000 * this.scale;
    this.now = options.now ?? Date.now;
  }

  /** Window of a group in seconds, already scaled. */
  windowSeconds(group: RateLimitGroup): number {
    return this.groups[group].windowSeconds * this.scale;
  }

  /** Counts one request of `key` (user+app) in `group` and decides whether it may proceed. */
  take(key: string, group: RateLimitGroup): RateDecision {
    const { limit } = this.groups[group];
    const windowMs = this.windowSeconds(group) * 1000;
    const headers: Record<string, string> = {
      'X-Rate-Limit-Group': group,
      'X-Rate-Limit-Limit': String(limit),
      'X-Rate-Limit-Window': formatSeconds(this.windowSeconds(group)),
    };
    if (!this.enabled) {
      headers['X-Rate-Limit-Remaining'] = String(limit);
      return { allowed: true, headers };
    }
    const now = this.now();
    const bucketKey = `${key}|${group}`;
    let bucket = this.buckets.get(bucketKey);
    if (!bucket) {
      bucket = { log: [], penaltyUntil: 0 };
      this.buckets.set(bucketKey, bucket);
    }
    while (bucket.log.length > 0 && (bucket.log[0] ?? 0) <= now - windowMs) bucket.log.shift();
    if (bucket.penaltyUntil > now || bucket.log.length >= limit) {
      // Entering the penalty, or knocking during it: either way the penalty starts over.
      bucket.penaltyUntil = now + this.penaltyMs;
      headers['X-Rate-Limit-Remaining'] = '0';
      headers['Retry-After'] = String(Math.max(1, Math.ceil(this.penaltyMs / 1000)));
      return { allowed: false, headers };
    }
    bucket.log.push(now);
    headers['X-Rate-Limit-Remaining'] = String(limit - bucket.log.length);
    return { allowed: true, headers };
  }

  /** Forgets every log and penalty. */
  reset(): void {
    this.buckets.clear();
  }
}

function formatSeconds(seconds: number): string {
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(3).replace(/0+$/, '');
}
