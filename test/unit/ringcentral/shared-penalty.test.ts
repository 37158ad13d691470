/**
 * A 429 one process meets stops every process of the user at once, also one that already holds
 * a slot claimed before the 429: on the virtual clock, so the order of events is the same on an
 * idle and a loaded machine.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRingCentral, staticTokenSource } from '../../../lib/ringcentral/index.ts';
import {
  ExchangeTracker,
  runOnVirtualClock,
  useVirtualClock,
} from '../../support/virtual-clock.ts';
import { SlidingWindow, sendJson, startServer, type TestServer } from './support/http-server.ts';
import { createMemoryBudget } from './support/memory-budget.ts';

const USER = 'app:ext-1';
const LIGHT = { limit: 2, windowMs: 1_000 };
const PENALTY_MS = 2_000;

describe('a penalty on the shared budget', () => {
  let server: TestServer | undefined;
  beforeEach(() => useVirtualClock());
  afterEach(async () => {
    vi.useRealTimers();
    await server?.close();
  });

  it('holds back a slot another process claimed before the 429 until the penalty ends', async () => {
    // Prepare: someone outside the budget fills the server's window just before the first
    // request arrives; answers take 100 ms
    const tracker = new ExchangeTracker();
    const window = new SlidingWindow(LIGHT.limit, LIGHT.windowMs, PENALTY_MS);
    let outsiderSpent = false;
    server = await startServer(async (_request, response) => {
      await tracker.latency(100);
      if (!outsiderSpent) window.spend(LIGHT.limit);
      outsiderSpent = true;
      const { refused, headers } = window.admit();
      sendJson(response, refused ? 429 : 200, { retentionPeriod: 30 }, headers);
    });
    const budget = createMemoryBudget(100);
    const client = (caller: string) =>
      createRingCentral({
        server: server!.url,
        tokenSource: staticTokenSource('t'),
        fetch: tracker.fetch,
        limits: {
          groups: { Light: LIGHT },
          shared: { budget, user: USER, caller, penaltyCheckMs: 10 },
          backoff: { baseMs: 10, maxMs: 50 },
        },
      });
    const [first, second] = [client('a'), client('b')];
    // Others' claims put the first process's slot a window out and the second's two.
    const claim = (caller: string) =>
      budget.claim({ user: USER, group: 'Light', slots: 1, caller, limit: LIGHT });
    await claim('x');
    await claim('x');

    // Act: both processes claim now; the first meets the 429 before the second's slot is due
    const reads = runOnVirtualClock(
      (async () => {
        const firstRead = first.configuration.get();
        await new Promise((resolve) => setTimeout(resolve, 1));
        await claim('y');
        return Promise.all([firstRead, second.configuration.get()]);
      })(),
      tracker,
    );
    await reads;

    // Assess: one 429; nothing reached the server after it before its penalty ended
    const [refusedRequest, ...later] = server.requests;
    const secondSlot = budget.granted.find((slot) => slot.caller === 'b')?.sendAt ?? 0;
    expect(window.tooMany).toBe(1);
    expect(secondSlot).toBeLessThan((refusedRequest?.at ?? 0) + PENALTY_MS);
    expect(secondSlot).toBeGreaterThan((refusedRequest?.at ?? 0) + 100);
    expect(later.length).toBeGreaterThanOrEqual(2);
    expect(later.every((request) => request.at >= (refusedRequest?.at ?? 0) + PENALTY_MS)).toBe(
      true,
    );
  });
});
