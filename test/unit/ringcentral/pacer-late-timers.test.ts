/**
 * The pacer on a starved event loop: every timer runs late, as on a loaded 2-core machine.
 * Found as a 429 between two clients sharing one budget (h9): late timers free several of a
 * client's slots at once, the re-uses overlap, every reading of the others' usage is then
 * ambiguous, and the estimate aged out of its window, so "no reading" read as "alone": the
 * client re-used and claimed up to the whole budget beside a client holding half of it. The last
 * case needs no late timer: at the Light group's real size, a burst's readings are all ambiguous,
 * so each client's estimate of the other lagged by a re-use it never saw, and both took "the last
 * slot" at once. The pacer now bounds the others from ambiguous readings too (`GroupPacer`).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRingCentral, staticTokenSource } from '../../../lib/ringcentral/index.ts';
import {
  ExchangeTracker,
  runOnVirtualClock,
  useVirtualClock,
} from '../../support/virtual-clock.ts';
import { SlidingWindow, sendJson, startServer, type TestServer } from './support/http-server.ts';

describe('the pacer with late timers', () => {
  let server: TestServer | undefined;
  beforeEach(() => useVirtualClock());
  afterEach(async () => {
    vi.useRealTimers();
    await server?.close();
  });

  /**
   * Two clients send `requestsEach` requests each against one sliding window of `window`, whose
   * server answers after `latencyMs`; resolves with the window once all are answered.
   */
  async function twoClientsSharing(
    window: SlidingWindow,
    scenario: { latencyMs: number; requestsEach: number; timersLateMs?: number },
  ): Promise<SlidingWindow> {
    const tracker = new ExchangeTracker();
    server = await startServer(async (_request, response) => {
      await tracker.latency(scenario.latencyMs);
      const { refused, headers } = window.admit();
      const body = refused
        ? { errors: [{ errorCode: 'CMN-301', message: 'Request rate exceeded' }] }
        : { retentionPeriod: 30 };
      sendJson(response, refused ? 429 : 200, body, headers);
    });
    const client = (token: string) =>
      createRingCentral({
        server: server!.url,
        tokenSource: staticTokenSource(token),
        fetch: tracker.fetch,
      });
    const [first, second] = [client('a'), client('b')];
    await runOnVirtualClock(
      Promise.all([
        ...Array.from({ length: scenario.requestsEach }, () => first.configuration.get()),
        ...Array.from({ length: scenario.requestsEach }, () => second.configuration.get()),
      ]),
      tracker,
      scenario.timersLateMs === undefined ? undefined : { timersLateMs: scenario.timersLateMs },
    );
    return window;
  }

  for (const timersLateMs of [10, 30, 100]) {
    it(`two clients sharing one budget pace without a 429, every timer ${timersLateMs} ms late`, async () => {
      // Prepare: 8 requests per 1 s window, answered after 5 ms
      const window = new SlidingWindow(8, 1_000, 2_000);

      // Act
      await twoClientsSharing(window, { latencyMs: 5, requestsEach: 10, timersLateMs });

      // Assess
      expect(window.tooMany).toBe(0);
    });
  }

  it('two clients sharing the Light budget (50 per 60 s) pace without a 429, timers on time', async () => {
    // Prepare: RingCentral's Light group, answered after 100 ms; 60 requests each
    const window = new SlidingWindow(50, 60_000, 60_000);

    // Act
    await twoClientsSharing(window, { latencyMs: 100, requestsEach: 60 });

    // Assess
    expect(window.tooMany).toBe(0);
  });
});
