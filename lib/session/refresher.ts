/**
 * The token refresher's work, on ports: read the session, decide, take the lease, re-read,
 * refresh (or log in with the JWT when the refresh token is dead), write the new session.
 * It is the only code in the project that calls the OAuth endpoint (DESIGN invariant 5).
 */
import type { CallOptions, OAuthSession } from '../ringcentral/index.ts';
import { AuthError, InvalidInputError, InvalidRequestError } from '../ringcentral/index.ts';
import { type LeaseStore, withLease } from './lease.ts';
import {
  DEFAULT_REFRESH_POLICY,
  decideRefresh,
  type RefreshPolicy,
  type StoredSession,
} from './refresh-policy.ts';

/** Reads and writes the session secret. */
export interface SessionStore {
  /** `forceFetch` bypasses any cache: the refresher must see the latest version. */
  read(options: { forceFetch: boolean }): Promise<StoredSession | undefined>;
  /** Stores a new version. */
  write(session: StoredSession): Promise<void>;
}

/** The two grants of the OAuth client (`createOAuthClient` from lib/ringcentral). */
export interface TokenGrants {
  jwtGrant(jwt: string, options?: CallOptions): Promise<OAuthSession>;
  refreshGrant(refreshToken: string, options?: CallOptions): Promise<OAuthSession>;
}

/** Everything `refreshSession` needs. */
export interface RefreshSessionOptions {
  sessions: SessionStore;
  grants: TokenGrants;
  leases: LeaseStore;
  jwt: string;
  /** Unique per invocation, e.g. the Lambda request id. */
  owner: string;
  /** Lease lifetime: longer than a refresh can take (bounded by the invocation anyway). */
  leaseTtlMs: number;
  /** Refresh even when the policy says the token lasts (the deploy-time run uses it). */
  force?: boolean;
  policy?: RefreshPolicy;
  now?: () => number;
  callOptions?: CallOptions;
}

/** What the refresher did; nothing here is secret, so it may be logged as is. */
export interface RefreshOutcome {
  action: 'none' | 'refreshed' | 'logged-in' | 'skipped';
  reason: string;
  /** Expiry of the access token now stored (ISO), when there is one. */
  expiresAt?: string;
  /** True when the refresh grant failed and a JWT login replaced it. */
  refreshFailed?: boolean;
}

/** The lease every refresher of a deployment competes for. */
export const REFRESH_LEASE_NAME = 'token-refresh';

/** Converts the OAuth client's session (epoch ms) to the stored shape (ISO). */
export function toStoredSession(session: OAuthSession): StoredSession {
  return {
    accessToken: session.accessToken,
    // No refresh token: store none, so that the next run logs in instead of failing a refresh.
    refreshToken: session.refreshToken ?? '',
    expiresAt: new Date(session.expiresAt).toISOString(),
    // Unknown refresh expiry: assume it ends with the access token, which errs towards acting.
    refreshExpiresAt: new Date(session.refreshTokenExpiresAt ?? session.expiresAt).toISOString(),
  };
}

/** True for the grant errors that mean "this refresh token is dead" (OAU-210/213, invalid_grant). */
export function isDeadRefreshToken(error: unknown): boolean {
  if (error instanceof InvalidInputError) return false;
  return error instanceof AuthError || error instanceof InvalidRequestError;
}

/**
 * Keeps the stored session fresh. Safe when invocations overlap: only the lease holder calls
 * the OAuth endpoint, and it re-reads the session after taking the lease, so a refresher that
 * waited behind another one sees the fresh session and does nothing.
 */
export async function refreshSession(options: RefreshSessionOptions): Promise<RefreshOutcome> {
  const now = options.now ?? Date.now;
  const policy = options.policy ?? DEFAULT_REFRESH_POLICY;
  const decide = (session: StoredSession | undefined) => {
    const decision = decideRefresh(session, now(), policy);
    return options.force && decision.action === 'none'
      ? { action: 'refresh' as const, reason: 'forced' }
      : decision;
  };
  const first = await options.sessions.read({ forceFetch: true });
  const firstDecision = decide(first);
  if (firstDecision.action === 'none') {
    return { action: 'none', reason: firstDecision.reason, expiresAt: first?.expiresAt };
  }
  const leased = await withLease(
    options.leases,
    { name: REFRESH_LEASE_NAME, owner: options.owner, ttlMs: options.leaseTtlMs },
    async (): Promise<RefreshOutcome> => {
      // Another refresher may have finished between the first read and the lease.
      const current = await options.sessions.read({ forceFetch: true });
      const decision =
        current && first && current.accessToken !== first.accessToken
          ? decideRefresh(current, now(), policy)
          : decide(current);
      if (decision.action === 'none') {
        return { action: 'none', reason: decision.reason, expiresAt: current?.expiresAt };
      }
      let refreshFailed = false;
      let next: OAuthSession | undefined;
      if (decision.action === 'refresh' && current) {
        try {
          next = await options.grants.refreshGrant(current.refreshToken, options.callOptions);
        } catch (error) {
          if (!isDeadRefreshToken(error)) throw error;
          refreshFailed = true;
        }
      }
      const action = next ? 'refreshed' : 'logged-in';
      next ??= await options.grants.jwtGrant(options.jwt, options.callOptions);
      const stored = toStoredSession(next);
      await options.sessions.write(stored);
      return {
        action,
        reason: refreshFailed ? 'the refresh token was rejected' : decision.reason,
        expiresAt: stored.expiresAt,
        ...(refreshFailed ? { refreshFailed } : {}),
      };
    },
  );
  if (leased.acquired) return leased.value;
  // The loser only looks: the lease holder is writing the session right now.
  const seen = await options.sessions.read({ forceFetch: true });
  return {
    action: 'skipped',
    reason: 'another refresher holds the lease',
    expiresAt: seen?.expiresAt,
  };
}
