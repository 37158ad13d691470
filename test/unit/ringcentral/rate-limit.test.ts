import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RateLimitGroup, RingCentralOptions } from '../../../lib/ringcentral/index.ts';
import {
  createRingCentral,
  DeadlineExceededError,
  RateLimitedError,
  staticTokenSource,
} from '../../../lib/ringcentral/index.ts';
import {
  ExchangeTracker,
  runOnVirtualClock,
  useVirtualClock,
} from '../../support/virtual-clock.ts';
import type { TestServer } from './support/http-server.ts';
import { SlidingWindow, sendJson, startServer } from './support/http-server.ts';

/**
 * Every test runs on a virtual clock (`Date`, `setTimeout`) shared by the clients' pacers and the
 * servers, moved only while no exchange is on its way: a loaded machine slows the tests down but
 * cannot change what the pacer sees, so windows, penalties and deadlines are exact.
 */
let tracker = new ExchangeTracker();

/** Runs `work` to its end on the virtual clock. */
function drive<T>(work: Promise<T>): Promise<T> {
  return runOnVirtualClock(work, tracker);
}

/** A client whose exchanges the virtual clock waits for. */
function client(options: Omit<RingCentralOptions, 'server' | 'fetch'>, server: TestServer) {
  return createRingCentral({ server: server.url, fetch: tracker.fetch, ...options });
}

/**
 * A server whose every route is in one group limited by `window`, answering after `latencyMs` of
 * virtual time; `onArrival` learns how many requests it holds at once.
 */
async function limitedServer(
  window: SlidingWindow,
  latencyMs = 5,
  onArrival?: (held: number) => void,
): Promise<TestServer> {
  let held = 0;
  return startServer(async (_request, response) => {
    held += 1;
    onArrival?.(held);
    await tracker.latency(latencyMs);
    held -= 1;
    const { refused, headers } = window.admit();
    if (refused) {
      sendJson(
        response,
        429,
        {
          errorCode: 'CMN-301',
          message: 'Request rate exceeded',
          errors: [{ errorCode: 'CMN-301', message: 'Request rate exceeded' }],
        },
        headers,
      );
      return;
    }
    sendJson(response, 200, { retentionPeriod: 30 }, headers);
  });
}

describe('rate-limit pacing', () => {
  let server: TestServer | undefined;
  beforeEach(() => {
    tracker = new ExchangeTracker();
    useVirtualClock();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await server?.close();
    server = undefined;
  });

  it('paces a burst from the X-Rate-Limit headers so that no request sees a 429', async () => {
    // Prepare: 5 requests per 1 s window; the client starts with FACTS' defaults (50 per minute)
    const window = new SlidingWindow(5, 1_000, 2_000);
    server = await limitedServer(window);
    const waits: string[] = [];
    const rc = client(
      { tokenSource: staticTokenSource('t'), hooks: { onWait: (info) => waits.push(info.reason) } },
      server,
    );
    const started = Date.now();

    // Act
    await drive(Promise.all(Array.from({ length: 14 }, () => rc.configuration.get())));

    // Assess: 14 requests at 5 per second need two full windows beyond the first
    const elapsed = Date.now() - started;
    expect(window.tooMany).toBe(0);
    expect(server.requests).toHaveLength(14);
    expect(elapsed).toBeGreaterThanOrEqual(2_000);
    expect(elapsed).toBeLessThan(4_500);
    expect(waits).toContain('budget');
  });

  it('leaves room for what another process already spent from the same budget', async () => {
    // Prepare: another process used 4 of 6 slots just now
    const window = new SlidingWindow(6, 1_000, 2_000);
    window.spend(4);
    server = await limitedServer(window);
    const rc = client({ tokenSource: staticTokenSource('t') }, server);

    // Act
    await drive(Promise.all(Array.from({ length: 8 }, () => rc.configuration.get())));

    // Assess
    expect(window.tooMany).toBe(0);
    expect(server.requests).toHaveLength(8);
  });

  it('far below the budget claims at once instead of one by one', async () => {
    // Prepare: a budget of 1,000 per second; the server answers after 50 ms
    const window = new SlidingWindow(1_000, 1_000, 2_000);
    let peak = 0;
    server = await limitedServer(window, 50, (held) => {
      peak = Math.max(peak, held);
    });
    const rc = client({ tokenSource: staticTokenSource('t') }, server);
    await drive(rc.configuration.get());

    // Act
    await drive(Promise.all(Array.from({ length: 20 }, () => rc.configuration.get())));

    // Assess: spaced claims (four round trips apart) would have kept one or two in flight
    expect(window.tooMany).toBe(0);
    expect(peak).toBeGreaterThanOrEqual(15);
  });

  it('beside a busy process claims the careful way, never at once', async () => {
    // Prepare: another process holds 30 of 40 slots, far above a quarter of the budget
    const window = new SlidingWindow(40, 1_000, 2_000);
    window.spend(30);
    let peak = 0;
    server = await limitedServer(window, 20, (held) => {
      peak = Math.max(peak, held);
    });
    const rc = client({ tokenSource: staticTokenSource('t') }, server);

    // Act
    await drive(Promise.all(Array.from({ length: 8 }, () => rc.configuration.get())));

    // Assess
    expect(window.tooMany).toBe(0);
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('two clients sharing one budget both pace without a 429', async () => {
    // Prepare
    const window = new SlidingWindow(8, 1_000, 2_000);
    server = await limitedServer(window);
    const first = client({ tokenSource: staticTokenSource('a') }, server);
    const second = client({ tokenSource: staticTokenSource('b') }, server);

    // Act
    await drive(
      Promise.all([
        ...Array.from({ length: 10 }, () => first.configuration.get()),
        ...Array.from({ length: 10 }, () => second.configuration.get()),
      ]),
    );

    // Assess
    expect(window.tooMany).toBe(0);
    expect(server.requests).toHaveLength(20);
  });

  it("after a 429 two clients recover without restarting each other's penalty for ever", async () => {
    // Prepare: RingCentral's penalty: 1 s, restarted by every request sent during it; the budget
    // is already spent, so both clients' first requests are refused
    const penaltyMs = 1_000;
    let penaltyUntil = Date.now() + penaltyMs;
    let refused = 0;
    server = await startServer((_request, response) => {
      const now = Date.now();
      if (now < penaltyUntil) {
        penaltyUntil = now + penaltyMs;
        refused += 1;
        sendJson(
          response,
          429,
          { errors: [{ errorCode: 'CMN-301', message: 'Request rate exceeded' }] },
          { 'retry-after': '1' },
        );
        return;
      }
      sendJson(
        response,
        200,
        { retentionPeriod: 30 },
        { 'x-rate-limit-limit': '50', 'x-rate-limit-remaining': '40', 'x-rate-limit-window': '1' },
      );
    });
    const clients = ['a', 'b'].map((token) =>
      client({ tokenSource: staticTokenSource(token) }, server!),
    );

    // Act: each client keeps asking until it gets through (the client's own retry on 429)
    const results = await drive(
      Promise.all(clients.map((rc) => rc.configuration.get({ deadline: Date.now() + 20_000 }))),
    );

    // Assess: both got through, after a bounded number of refused probes
    expect(results).toHaveLength(2);
    expect(refused).toBeGreaterThanOrEqual(2);
    expect(refused).toBeLessThanOrEqual(12);
  });

  it('on a 429 honours Retry-After and sends nothing in that group until the penalty is over', async () => {
    // Prepare: the first request is refused with a 1 s penalty
    let refusedAt = 0;
    server = await startServer((_request, response) => {
      if (refusedAt === 0) {
        refusedAt = Date.now();
        sendJson(
          response,
          429,
          { errors: [{ errorCode: 'CMN-301', message: 'Request rate exceeded' }] },
          { 'retry-after': '1' },
        );
        return;
      }
      sendJson(
        response,
        200,
        { retentionPeriod: 30 },
        { 'x-rate-limit-limit': '50', 'x-rate-limit-remaining': '40', 'x-rate-limit-window': '60' },
      );
    });
    const limited: number[] = [];
    const rc = client(
      {
        tokenSource: staticTokenSource('t'),
        hooks: { onRateLimited: (info) => limited.push(info.retryAfterMs) },
      },
      server,
    );

    // Act
    const results = await drive(
      Promise.all([rc.configuration.get(), rc.configuration.get(), rc.configuration.get()]),
    );

    // Assess
    expect(results).toHaveLength(3);
    expect(limited).toEqual([1_000]);
    const after = server.requests.slice(1);
    expect(after).toHaveLength(3);
    for (const request of after) expect(request.at - refusedAt).toBeGreaterThanOrEqual(990);
  });

  it('assumes a 30 s penalty without Retry-After and fails at once when that passes the deadline', async () => {
    // Prepare
    server = await startServer((_request, response) =>
      sendJson(response, 429, {
        errors: [{ errorCode: 'CMN-301', message: 'Request rate exceeded' }],
      }),
    );
    const rc = client({ tokenSource: staticTokenSource('t') }, server);
    const started = Date.now();

    // Act
    const attempt = drive(rc.configuration.get({ deadline: Date.now() + 5_000 }));

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(attempt).rejects.toMatchObject({ status: 429, errorCode: 'CMN-301' });
    const error = (await attempt.catch((caught: unknown) => caught)) as DeadlineExceededError;
    expect(error.cause).toBeInstanceOf(RateLimitedError);
    expect(error.waitMs).toBeGreaterThan(25_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
  });

  it('fails a request at once when its group budget cannot free up before the deadline', async () => {
    // Prepare: a 3 s window with 2 slots, one spent by another process, one by this client
    const window = new SlidingWindow(2, 3_000, 3_000);
    window.spend(1);
    server = await limitedServer(window);
    const rc = client({ tokenSource: staticTokenSource('t') }, server);
    await drive(rc.configuration.get());
    const started = Date.now();

    // Act
    const attempt = drive(rc.configuration.get({ deadline: Date.now() + 500 }));

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(attempt).rejects.toThrow(/Light rate-limit group is out of budget/);
    expect(Date.now() - started).toBeLessThan(200);
    expect(server.requests).toHaveLength(1);
    expect(window.tooMany).toBe(0);
  });

  it('keeps each group separate: a penalty in one does not hold back another', async () => {
    // Prepare
    server = await startServer((request, response) => {
      if (request.method === 'POST') {
        sendJson(
          response,
          429,
          { errors: [{ errorCode: 'CMN-301', message: 'limited' }] },
          { 'retry-after': '30' },
        );
        return;
      }
      sendJson(response, 200, { retentionPeriod: 9 });
    });
    const groups: RateLimitGroup[] = [];
    const rc = client(
      {
        tokenSource: staticTokenSource('t'),
        hooks: { onRateLimited: (info) => groups.push(info.group) },
      },
      server,
    );

    // Act
    const sms = drive(
      rc.sms.send(
        { from: '+16505550100', to: ['+16505550101'], text: 'x' },
        { deadline: Date.now() + 2_000 },
      ),
    );
    await expect(sms).rejects.toBeInstanceOf(DeadlineExceededError);
    const configuration = await drive(rc.configuration.get({ deadline: Date.now() + 2_000 }));

    // Assess
    expect(groups).toEqual(['Medium']);
    expect(configuration.retentionPeriod).toBe(9);
  });
});
