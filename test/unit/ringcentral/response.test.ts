import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  AuthError,
  DeadlineExceededError,
  RateLimitedError,
  TransportError,
} from '../../../lib/ringcentral/index.ts';
import {
  deadlineAfter,
  errorFromFailedExchange,
  errorFromHttpResponse,
  rateLimitState,
  retryAfter,
} from '../../../lib/ringcentral/response.ts';

const TARGET = { method: 'POST', url: 'https://platform.example/sms' };
const NOT_ENDED = { deadline: false, aborted: false };

function refused(): Error {
  return new TypeError('fetch failed', {
    cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
  });
}

describe('errorFromFailedExchange', () => {
  it('tells the deadline from the caller abort from a network failure', () => {
    // Act
    const deadline = errorFromFailedExchange(refused(), TARGET, { deadline: true, aborted: false });
    const aborted = errorFromFailedExchange(refused(), TARGET, { deadline: false, aborted: true });
    const network = errorFromFailedExchange(refused(), TARGET, NOT_ENDED);

    // Assess
    expect(deadline).toBeInstanceOf(DeadlineExceededError);
    expect(aborted).toBeInstanceOf(AbortedError);
    expect(network).toBeInstanceOf(TransportError);
    expect(network.message).toBe(
      'POST https://platform.example/sms failed without a response: fetch failed: connect (ECONNREFUSED)',
    );
  });

  it('says a POST may have been received unless the connection was refused; a GET never matters', () => {
    // Prepare
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
    });

    // Act
    const postReset = errorFromFailedExchange(reset, TARGET, NOT_ENDED) as TransportError;
    const postRefused = errorFromFailedExchange(refused(), TARGET, NOT_ENDED) as TransportError;
    const getReset = errorFromFailedExchange(
      reset,
      { ...TARGET, method: 'GET' },
      NOT_ENDED,
    ) as TransportError;

    // Assess
    expect([
      postReset.mayHaveBeenReceived,
      postRefused.mayHaveBeenReceived,
      getReset.mayHaveBeenReceived,
    ]).toEqual([true, false, false]);
  });
});

describe('errorFromHttpResponse', () => {
  it('maps the status and RingCentral error body to our error class, with the request id', async () => {
    // Prepare
    const body = JSON.stringify({ errors: [{ errorCode: 'OAU-213', message: 'Token not found' }] });
    const response = new Response(body, { status: 401, headers: { rcrequestid: 'req-1' } });

    // Act
    const error = await errorFromHttpResponse(response, {
      ...TARGET,
      rateLimit: {},
      retryAfterMs: undefined,
    });

    // Assess
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 401, errorCode: 'OAU-213', requestId: 'req-1' });
  });

  it('keeps a 429 penalty and a non-JSON body', async () => {
    // Prepare
    const response = new Response('slow down', { status: 429 });

    // Act
    const error = await errorFromHttpResponse(response, {
      ...TARGET,
      rateLimit: {},
      retryAfterMs: 30_000,
    });

    // Assess
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(30_000);
    expect(error.message).toContain('slow down');
  });
});

describe('response headers', () => {
  it('reads Retry-After as seconds or an HTTP date, and falls back when absent or unreadable', () => {
    // Prepare
    const now = Date.parse('2026-01-01T00:00:00Z');
    const headers = (value?: string) =>
      new Headers(value === undefined ? {} : { 'retry-after': value });

    // Act
    const values = [
      retryAfter(headers('2'), 7, now),
      retryAfter(headers('Thu, 01 Jan 2026 00:00:03 GMT'), 7, now),
      retryAfter(headers(), 7, now),
      retryAfter(headers('soon'), 7, now),
    ];

    // Assess
    expect(values).toEqual([2_000, 3_000, 7, 7]);
  });

  it('reads the rate-limit headers, leaving out what is absent', () => {
    // Prepare
    const headers = new Headers({
      'x-rate-limit-group': 'Light',
      'x-rate-limit-limit': '50',
      'x-rate-limit-remaining': '',
      'x-rate-limit-window': '60',
    });

    // Act
    const state = rateLimitState(headers);

    // Assess
    expect(state).toEqual({ group: 'Light', limit: 50, remaining: undefined, windowSeconds: 60 });
  });
});

describe('deadlineAfter', () => {
  it('names the failure a deadline interrupted the retry of, and leaves other errors alone', () => {
    // Prepare
    const last = new AuthError('OAU-213: Token not found', { status: 401, errorCode: 'OAU-213' });
    const deadline = new DeadlineExceededError('A wait of 500 ms would outlast the deadline', 500);
    const other = new Error('other');

    // Act
    const named = deadlineAfter(deadline, last) as DeadlineExceededError;

    // Assess
    expect(named.message).toBe(
      'A wait of 500 ms would outlast the deadline (after: OAU-213: Token not found)',
    );
    expect(named).toMatchObject({ waitMs: 500, status: 401, errorCode: 'OAU-213', cause: last });
    expect(deadlineAfter(other, last)).toBe(other);
    expect(deadlineAfter(deadline, undefined)).toBe(deadline);
  });
});
