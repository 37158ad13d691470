import { describe, expect, it } from 'vitest';
import type { OAuthSession } from '../../../lib/ringcentral/index.ts';
import { AuthError, ServerError } from '../../../lib/ringcentral/index.ts';
import type { LeaseStore } from '../../../lib/session/lease.ts';
import type { StoredSession } from '../../../lib/session/refresh-policy.ts';
import {
  REFRESH_LEASE_NAME,
  refreshSession,
  type SessionStore,
  type TokenGrants,
  toStoredSession,
} from '../../../lib/session/refresher.ts';

const MINUTE = 60_000;
const NOW = Date.parse('2026-03-01T12:00:00.000Z');

/** In-memory ports: a session secret with versions, one lease slot, grants that count. */
function harness(initial?: StoredSession) {
  const versions: StoredSession[] = initial ? [initial] : [];
  const holders = new Map<string, string>();
  const calls: string[] = [];
  let issued = 0;
  const sessions: SessionStore = {
    read: async () => versions.at(-1),
    write: async (session) => {
      versions.push(session);
    },
  };
  const leases: LeaseStore = {
    acquireLease: async (name, owner) => {
      if (holders.has(name)) return false;
      holders.set(name, owner);
      return true;
    },
    releaseLease: async (name, owner) => {
      if (holders.get(name) === owner) holders.delete(name);
    },
  };
  const newSession = (): OAuthSession => {
    issued += 1;
    return {
      accessToken: `access-${issued}`,
      refreshToken: `refresh-${issued}`,
      expiresAt: NOW + 60 * MINUTE,
      refreshTokenExpiresAt: NOW + 7 * 24 * 60 * MINUTE,
    };
  };
  const grants: TokenGrants = {
    jwtGrant: async () => {
      calls.push('jwt');
      return newSession();
    },
    refreshGrant: async (token) => {
      calls.push(`refresh:${token}`);
      return newSession();
    },
  };
  return { versions, holders, calls, sessions, leases, grants };
}

function stored(accessMinutesLeft: number): StoredSession {
  return {
    accessToken: 'old-access',
    refreshToken: 'old-refresh',
    expiresAt: new Date(NOW + accessMinutesLeft * MINUTE).toISOString(),
    refreshExpiresAt: new Date(NOW + 7 * 24 * 60 * MINUTE).toISOString(),
  };
}

const base = { jwt: 'the-jwt', owner: 'run-1', leaseTtlMs: 30_000, now: () => NOW };

describe('refreshSession', () => {
  it('logs in with the JWT when there is no session and stores the result', async () => {
    // Prepare
    const h = harness();

    // Act
    const outcome = await refreshSession({ ...base, ...h });

    // Assess
    expect(outcome.action).toBe('logged-in');
    expect(h.calls).toEqual(['jwt']);
    expect(h.versions.at(-1)?.accessToken).toBe('access-1');
    expect(h.holders.size).toBe(0);
  });

  it('refreshes a session that runs low, with its refresh token', async () => {
    // Prepare
    const h = harness(stored(20));

    // Act
    const outcome = await refreshSession({ ...base, ...h });

    // Assess
    expect(outcome.action).toBe('refreshed');
    expect(h.calls).toEqual(['refresh:old-refresh']);
    expect(h.versions).toHaveLength(2);
  });

  it('does nothing and takes no lease when the token lasts', async () => {
    // Prepare
    const h = harness(stored(55));
    let leaseTaken = false;
    const leases: LeaseStore = {
      acquireLease: async () => {
        leaseTaken = true;
        return true;
      },
      releaseLease: async () => {},
    };

    // Act
    const outcome = await refreshSession({ ...base, ...h, leases });

    // Assess
    expect(outcome.action).toBe('none');
    expect(h.calls).toEqual([]);
    expect(leaseTaken).toBe(false);
  });

  it('falls back to a JWT login when the refresh token is dead (OAU-213)', async () => {
    // Prepare
    const h = harness(stored(20));
    const grants: TokenGrants = {
      ...h.grants,
      refreshGrant: async () => {
        h.calls.push('refresh');
        throw new AuthError('OAU-213: Token not found', { status: 400, errorCode: 'OAU-213' });
      },
    };

    // Act
    const outcome = await refreshSession({ ...base, ...h, grants });

    // Assess
    expect(outcome).toMatchObject({ action: 'logged-in', refreshFailed: true });
    expect(h.calls).toEqual(['refresh', 'jwt']);
  });

  it('does not log in when the OAuth endpoint fails for another reason', async () => {
    // Prepare
    const h = harness(stored(20));
    const grants: TokenGrants = {
      ...h.grants,
      refreshGrant: async () => {
        throw new ServerError('HTTP 503', { status: 503 });
      },
    };

    // Act
    const attempt = refreshSession({ ...base, ...h, grants });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ServerError);
    expect(h.calls).toEqual([]);
    expect(h.holders.size).toBe(0);
  });

  it('skips when another refresher holds the lease, calling no grant', async () => {
    // Prepare
    const h = harness(stored(20));
    h.holders.set(REFRESH_LEASE_NAME, 'someone-else');

    // Act
    const outcome = await refreshSession({ ...base, ...h });

    // Assess
    expect(outcome.action).toBe('skipped');
    expect(h.calls).toEqual([]);
  });

  it('lets exactly one of overlapping runs call the OAuth endpoint', async () => {
    // Prepare
    const h = harness(stored(20));

    // Act
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        refreshSession({ ...base, ...h, owner: `run-${index}` }),
      ),
    );

    // Assess
    expect(h.calls).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.action === 'refreshed')).toHaveLength(1);
  });

  it('does nothing after the lease when a previous holder already refreshed', async () => {
    // Prepare: the first read sees the old session, the read under the lease a fresh one.
    const h = harness(stored(20));
    let reads = 0;
    const sessions: SessionStore = {
      read: async () => {
        reads += 1;
        return reads === 1 ? stored(20) : { ...stored(60), accessToken: 'fresh' };
      },
      write: h.sessions.write,
    };

    // Act
    const outcome = await refreshSession({ ...base, ...h, sessions, force: true });

    // Assess
    expect(outcome.action).toBe('none');
    expect(h.calls).toEqual([]);
  });

  it('refreshes a lasting token when forced (the deploy-time run)', async () => {
    // Prepare
    const h = harness(stored(55));

    // Act
    const outcome = await refreshSession({ ...base, ...h, force: true });

    // Assess
    expect(outcome.action).toBe('refreshed');
  });
});

describe('toStoredSession', () => {
  it('stores times as ISO and an absent refresh token as empty, so the next run logs in', () => {
    // Prepare
    const session: OAuthSession = { accessToken: 'a', expiresAt: NOW + MINUTE };

    // Act
    const result = toStoredSession(session);

    // Assess
    expect(result).toEqual({
      accessToken: 'a',
      refreshToken: '',
      expiresAt: new Date(NOW + MINUTE).toISOString(),
      refreshExpiresAt: new Date(NOW + MINUTE).toISOString(),
    });
  });
});
