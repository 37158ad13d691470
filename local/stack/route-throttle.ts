/**
 * API Gateway's throttling of one route, as its documentation describes it: a token bucket that
 * holds at most `burstLimit` requests and refills `rateLimit` per second; a request that finds it
 * empty is refused with 429. The clock is injected, so a test moves time instead of waiting.
 */
import type { ThrottleSettings } from '../../infra/api-throttle.ts';

/** One route's bucket. */
export interface RouteThrottle {
  /** Takes a token for one request; false when the bucket is empty (answer 429). */
  tryTake(): boolean;
}

/** A full bucket for `settings`, reading time (ms) from `now`. */
export function createRouteThrottle(
  settings: ThrottleSettings,
  now: () => number = () => performance.now(),
): RouteThrottle {
  let tokens = settings.burstLimit;
  let refilledAt = now();
  return {
    tryTake: () => {
      const at = now();
      // A clock that goes back refills nothing.
      const elapsedSeconds = Math.max(0, at - refilledAt) / 1000;
      tokens = Math.min(settings.burstLimit, tokens + elapsedSeconds * settings.rateLimit);
      refilledAt = at;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
