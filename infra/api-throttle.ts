/**
 * The HTTP API's default throttling, requests per second and burst, as API Gateway's token
 * bucket takes them. No CDK import here: `npm start`'s gateway (local/stack) throttles the
 * webhook route with exactly these numbers, so the two cannot drift.
 */

/** A route's or the stage's throttle: the bucket refills `rateLimit` per second up to `burstLimit`. */
export interface ThrottleSettings {
  rateLimit: number;
  burstLimit: number;
}

/** The stage's throttle (`apiThrottle`), for every route without its own. */
export const DEFAULT_API_THROTTLE: Readonly<ThrottleSettings> = { rateLimit: 20, burstLimit: 40 };

/**
 * POST /webhook's own throttle (`webhookThrottle`): RingCentral's deliveries, and nothing else,
 * reach the open route, so a flood of it cannot spend the send routes' share.
 */
export const DEFAULT_WEBHOOK_THROTTLE: Readonly<ThrottleSettings> = {
  rateLimit: 50,
  burstLimit: 100,
};
