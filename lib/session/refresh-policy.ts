/**
 * When the token refresher should act. It runs on a schedule, so the question is not "is the
 * token about to expire" but "will it still have enough life left at the NEXT run".
 */

/** The session as the session secret stores it (times as ISO strings). */
export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  /** ISO time the access token stops working. */
  expiresAt: string;
  /** ISO time the refresh token stops working. */
  refreshExpiresAt: string;
}

/** How often the refresher runs and how much life a token must keep between runs. */
export interface RefreshPolicy {
  /** Time between scheduled runs; default 30 minutes. */
  scheduleIntervalMs: number;
  /** Life the access token must still have when the next run starts; default 15 minutes. */
  minimumRemainingMs: number;
}

/** 30-minute schedule, 15 minutes of life kept in reserve. */
export const DEFAULT_REFRESH_POLICY: RefreshPolicy = {
  scheduleIntervalMs: 30 * 60_000,
  minimumRemainingMs: 15 * 60_000,
};

/** What the refresher should do, and why (the reason is logged; it holds no secret). */
export type RefreshDecision =
  | { action: 'none'; reason: string }
  | { action: 'refresh'; reason: string }
  | { action: 'login'; reason: string };

/**
 * Decides between doing nothing, the refresh grant and a JWT login.
 * - no session, no refresh token, or a refresh token already expired: log in with the JWT;
 * - access or refresh token would have under `minimumRemainingMs` at the next run: refresh
 *   (the refresh grant renews both, so a refresh token near its end is renewed in time);
 * - otherwise nothing.
 * A session with unreadable times is treated as missing: logging in is always safe.
 */
export function decideRefresh(
  session: StoredSession | undefined,
  now: number,
  policy: RefreshPolicy = DEFAULT_REFRESH_POLICY,
): RefreshDecision {
  if (!session) return { action: 'login', reason: 'no session stored yet' };
  const accessExpiresAt = Date.parse(session.expiresAt);
  const refreshExpiresAt = Date.parse(session.refreshExpiresAt);
  if (session.refreshToken === '' || Number.isNaN(refreshExpiresAt)) {
    return { action: 'login', reason: 'the session has no usable refresh token' };
  }
  if (refreshExpiresAt <= now) return { action: 'login', reason: 'the refresh token has expired' };
  if (Number.isNaN(accessExpiresAt)) {
    return { action: 'refresh', reason: 'the access token expiry is unreadable' };
  }
  const needed = policy.scheduleIntervalMs + policy.minimumRemainingMs;
  if (accessExpiresAt - now < needed) {
    return { action: 'refresh', reason: 'the access token would run low before the next run' };
  }
  if (refreshExpiresAt - now < needed) {
    return { action: 'refresh', reason: 'the refresh token would run low before the next run' };
  }
  return { action: 'none', reason: 'the access token lasts past the next run' };
}
