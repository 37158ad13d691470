import { describe, expect, it } from 'vitest';
import {
  createRotationAwareTokenSource,
  SessionNotReadyError,
  type SessionSnapshot,
} from '../../../lib/session/session-token-source.ts';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const HOUR = 3_600_000;

/** A session secret whose content a test changes, counting reads. */
function secret(initial: string | undefined) {
  let token = initial;
  let reads = 0;
  return {
    set: (value: string) => {
      token = value;
    },
    reads: () => reads,
    read: async (): Promise<SessionSnapshot | undefined> => {
      reads += 1;
      return token === undefined
        ? undefined
        : { accessToken: token, expiresAt: new Date(NOW + HOUR).toISOString() };
    },
  };
}

describe('createRotationAwareTokenSource', () => {
  it('reads once for concurrent callers and serves the cached token afterwards', async () => {
    // Prepare
    const store = secret('A');
    const source = createRotationAwareTokenSource({ read: store.read, now: () => NOW });

    // Act
    const tokens = await Promise.all([source.getToken(), source.getToken(), source.getToken()]);
    await source.getToken();

    // Assess
    expect(tokens.map((token) => token.accessToken)).toEqual(['A', 'A', 'A']);
    expect(store.reads()).toBe(1);
  });

  it('after a rejection waits for the refresher to store a new token instead of reusing it', async () => {
    // Prepare: the secret still holds the rejected token for a moment.
    const store = secret('A');
    const source = createRotationAwareTokenSource({ read: store.read, now: () => NOW });
    const first = await source.getToken();
    setTimeout(() => store.set('B'), 60);

    // Act
    await source.invalidate?.(first);
    const next = await source.getToken();

    // Assess
    expect(next.accessToken).toBe('B');
    expect(store.reads()).toBeGreaterThan(2);
  });

  it('gives up with SessionNotReadyError when the secret keeps the rejected token', async () => {
    // Prepare
    const store = secret('A');
    const source = createRotationAwareTokenSource({
      read: store.read,
      now: () => NOW,
      rotationWaitMs: 200,
    });
    const first = await source.getToken();

    // Act
    await source.invalidate?.(first);
    const attempt = source.getToken();

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(SessionNotReadyError);
  });

  it('re-reads a token older than maxAgeMs, so an idle container never wakes up stale', async () => {
    // Prepare
    let now = NOW;
    const store = secret('A');
    const source = createRotationAwareTokenSource({
      read: store.read,
      now: () => now,
      maxAgeMs: 60_000,
    });
    await source.getToken();
    store.set('B');

    // Act
    now += 59_000;
    const cached = await source.getToken();
    now += 2_000;
    const fresh = await source.getToken();

    // Assess
    expect([cached.accessToken, fresh.accessToken]).toEqual(['A', 'B']);
  });

  it('fails with SessionNotReadyError before token-refresh has written a session', async () => {
    // Prepare
    const source = createRotationAwareTokenSource({ read: secret(undefined).read });

    // Act
    const attempt = source.getToken();

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(SessionNotReadyError);
  });
});
