/** RingCentral's usage-plan groups (`x-throttling-group` in the spec). */
export type RateLimitGroup = 'Light' | 'Medium' | 'Heavy' | 'Auth';

/** A group's budget: `limit` requests per sliding window of `windowMs`. */
export interface GroupLimit {
  limit: number;
  windowMs: number;
}

/** RingCentral's documented defaults, used until a response states the real figures. */
export const DEFAULT_GROUP_LIMITS: Readonly<Record<RateLimitGroup, GroupLimit>> = {
  Light: { limit: 50, windowMs: 60_000 },
  Medium: { limit: 40, windowMs: 60_000 },
  Heavy: { limit: 10, windowMs: 60_000 },
  Auth: { limit: 5, windowMs: 60_000 },
};

/** Every group name, for iteration. */
export const RATE_LIMIT_GROUPS: readonly RateLimitGroup[] = ['Light', 'Medium', 'Heavy', 'Auth'];
