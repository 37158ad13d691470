import { describe, expect, it } from 'vitest';
import type { AccessToken, TokenSource } from '../../../lib/ringcentral/index.ts';
import { AbortedError, DeadlineExceededError } from '../../../lib/ringcentral/index.ts';
import { awaitNewerToken, rotationDelay } from '../../../lib/ringcentral/token-rotation.ts';

const token = (accessToken: string): AccessToken => ({
  accessToken,
  expiresAt: Number.MAX_SAFE_INTEGER,
});
const QUICK = { firstDelayMs: 1, maxDelayMs: 4, maxPolls: 5 };

/** A source that serves the rejected token for `staleReads` reads, then the newer one. */
function rotatingSource(staleReads: number): TokenSource & { calls: string[] } {
  const calls: string[] = [];
  let reads = 0;
  return {
    calls,
    invalidate: (rejected) => {
      calls.push(`invalidate ${rejected.accessToken}`);
    },
    getToken: async (options) => {
      reads += 1;
      calls.push(`read${options?.forceRefresh ? ' (forced)' : ''}`);
      return token(reads > staleReads ? 'new' : 'old');
    },
  };
}

describe('awaitNewerToken', () => {
  it('invalidates the rejected token, then reads past the cache until the source has a newer one', async () => {
    // Prepare
    const source = rotatingSource(2);

    // Act
    const newer = await awaitNewerToken(source, token('old'), undefined, QUICK);

    // Assess
    expect(newer?.accessToken).toBe('new');
    expect(source.calls).toEqual(['invalidate old', 'read', 'read (forced)', 'read (forced)']);
  });

  it('gives up after maxPolls reads that still return the rejected token', async () => {
    // Prepare
    const source = rotatingSource(Number.POSITIVE_INFINITY);

    // Act
    const newer = await awaitNewerToken(source, token('old'), undefined, QUICK);

    // Assess
    expect(newer).toBeUndefined();
    expect(source.calls.filter((call) => call.startsWith('read'))).toHaveLength(5);
  });

  it('fails at once when the next pause would outlast the deadline, and stops on abort', async () => {
    // Prepare
    const deadline = Date.now() + 60_000;
    const slow = { firstDelayMs: 120_000, maxDelayMs: 120_000, maxPolls: 3 };
    const aborted = AbortSignal.abort();

    // Act
    const pastDeadline = awaitNewerToken(rotatingSource(5), token('old'), { deadline }, slow);
    const afterAbort = awaitNewerToken(rotatingSource(5), token('old'), { signal: aborted }, QUICK);

    // Assess
    await expect(pastDeadline).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(afterAbort).rejects.toBeInstanceOf(AbortedError);
  });

  it('pauses 50 ms doubling to 1 s by default', () => {
    // Act
    const delays = [1, 2, 3, 5, 6, 7].map((poll) =>
      rotationDelay({ firstDelayMs: 50, maxDelayMs: 1_000, maxPolls: 8 }, poll),
    );

    // Assess
    expect(delays).toEqual([50, 100, 200, 800, 1_000, 1_000]);
  });
});
