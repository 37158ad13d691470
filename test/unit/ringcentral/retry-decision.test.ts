import { describe, expect, it } from 'vitest';
import {
  AuthError,
  InvalidRequestError,
  RateLimitedError,
  ServerError,
  TransportError,
} from '../../../lib/ringcentral/index.ts';
import type { RetryCounts, RetryTraits } from '../../../lib/ringcentral/retry.ts';
import { backoffPolicy, decideRetry } from '../../../lib/ringcentral/retry.ts';

const POLICY = backoffPolicy({ baseMs: 100, maxMs: 1_000, maxRetries: 3 });
const GET: RetryTraits = { idempotent: true, replayable: true, bearer: true };
const POST: RetryTraits = { idempotent: false, replayable: true, bearer: true };
const FRESH: RetryCounts = { retries: 0, reauthentications: 0 };

describe('decideRetry', () => {
  it('repeats a network failure of an idempotent request, or of any that provably did not arrive, with doubling backoff', () => {
    // Prepare
    const neverArrived = new TransportError('refused', false);
    const mayHaveArrived = new TransportError('reset', true);

    // Act
    const first = decideRetry({ error: neverArrived, retryAfterMs: 0 }, POST, FRESH, POLICY);
    const third = decideRetry(
      { error: neverArrived, retryAfterMs: 0 },
      GET,
      { retries: 2, reauthentications: 0 },
      POLICY,
    );
    const ambiguous = decideRetry({ error: mayHaveArrived, retryAfterMs: 0 }, POST, FRESH, POLICY);

    // Assess
    expect(first).toEqual({ retry: true, reason: 'network', delayMs: 100, backoffMs: 100 });
    expect(third).toEqual({ retry: true, reason: 'network', delayMs: 400, backoffMs: 400 });
    expect(ambiguous).toEqual({ retry: false });
  });

  it('repeats a 429 of any method without sleeping itself (the pacer holds the penalty)', () => {
    // Prepare
    const error = new RateLimitedError('CMN-301', 60_000, { status: 429 });

    // Act
    const decision = decideRetry({ error, retryAfterMs: 60_000 }, POST, FRESH, POLICY);

    // Assess
    expect(decision).toEqual({ retry: true, reason: 'rate-limited', delayMs: 60_000, status: 429 });
  });

  it('repeats a 5xx of an idempotent request only, waiting at least a 503 Retry-After', () => {
    // Prepare
    const unavailable = new ServerError('CMN-211', { status: 503 });
    const failed = new ServerError('boom', { status: 500 });

    // Act
    const get503 = decideRetry({ error: unavailable, retryAfterMs: 5_000 }, GET, FRESH, POLICY);
    const get500 = decideRetry({ error: failed, retryAfterMs: 5_000 }, GET, FRESH, POLICY);
    const post500 = decideRetry({ error: failed, retryAfterMs: 0 }, POST, FRESH, POLICY);

    // Assess
    expect(get503).toMatchObject({
      retry: true,
      reason: 'server-error',
      delayMs: 5_000,
      status: 503,
    });
    expect(get500).toMatchObject({ retry: true, delayMs: 100, backoffMs: 100, status: 500 });
    expect(post500).toEqual({ retry: false });
  });

  it('repeats a rejected bearer token (OAU-210/213 or no code) with a newer one, up to maxRetries times', () => {
    // Prepare
    const expired = new AuthError('OAU-210', { status: 401, errorCode: 'OAU-210' });
    const forbidden = new AuthError('CMN-401', { status: 401, errorCode: 'CMN-401' });
    const spent: RetryCounts = { retries: 3, reauthentications: 0 };

    // Act
    const first = decideRetry({ error: expired, retryAfterMs: 0 }, POST, spent, POLICY);
    const last = decideRetry(
      { error: expired, retryAfterMs: 0 },
      GET,
      { retries: 0, reauthentications: 3 },
      POLICY,
    );
    const otherCode = decideRetry({ error: forbidden, retryAfterMs: 0 }, GET, FRESH, POLICY);
    const basic = decideRetry(
      { error: expired, retryAfterMs: 0 },
      { ...GET, bearer: false },
      FRESH,
      POLICY,
    );

    // Assess
    expect(first).toEqual({ retry: true, reason: 'auth', delayMs: 0, status: 401 });
    expect([last, otherCode, basic]).toEqual([
      { retry: false },
      { retry: false },
      { retry: false },
    ]);
  });

  it('retries a rejected token once even when the budget allows no retry', () => {
    // Prepare
    const expired = new AuthError('OAU-210', { status: 401, errorCode: 'OAU-210' });
    const none = backoffPolicy({ maxRetries: 0 });

    // Act
    const first = decideRetry({ error: expired, retryAfterMs: 0 }, GET, FRESH, none);
    const second = decideRetry(
      { error: expired, retryAfterMs: 0 },
      GET,
      { retries: 0, reauthentications: 1 },
      none,
    );

    // Assess
    expect(first).toMatchObject({ retry: true, reason: 'auth' });
    expect(second).toEqual({ retry: false });
  });

  it('never repeats a one-shot body, a spent budget or a caller fault', () => {
    // Prepare
    const oneShot: RetryTraits = { ...GET, replayable: false };
    const refused = new TransportError('refused', false);
    const rateLimited = new RateLimitedError('CMN-301', 1_000, { status: 429 });
    const invalid = new InvalidRequestError('bad', { status: 400 });
    const spent: RetryCounts = { retries: 3, reauthentications: 0 };

    // Act
    const decisions = [
      decideRetry({ error: refused, retryAfterMs: 0 }, oneShot, FRESH, POLICY),
      decideRetry({ error: rateLimited, retryAfterMs: 1_000 }, oneShot, FRESH, POLICY),
      decideRetry({ error: rateLimited, retryAfterMs: 1_000 }, GET, spent, POLICY),
      decideRetry({ error: invalid, retryAfterMs: 0 }, GET, FRESH, POLICY),
    ];

    // Assess
    expect(decisions).toEqual(Array(4).fill({ retry: false }));
  });
});
