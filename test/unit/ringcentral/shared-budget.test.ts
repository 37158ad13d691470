import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RingCentral } from '../../../lib/ringcentral/index.ts';
import {
  applyClaim,
  createRingCentral,
  dueOnAnswer,
  emptyWindows,
  geometryFor,
  planClaim,
  planReading,
  RateBudgetExhaustedError,
  runsOf,
  staticTokenSource,
} from '../../../lib/ringcentral/index.ts';
import {
  ExchangeTracker,
  runOnVirtualClock,
  useVirtualClock,
} from '../../support/virtual-clock.ts';
import type { TestServer } from './support/http-server.ts';
import { SlidingWindow, sendJson, startServer } from './support/http-server.ts';
import type { MemoryBudget } from './support/memory-budget.ts';
import { createMemoryBudget } from './support/memory-budget.ts';

const USER = 'app:ext-1';
// Must cover the time from a grant to the arrival at the server, on a loaded machine too.
const HOLD_MS = 400;

async function limitedServer(
  window: SlidingWindow,
  tracker?: ExchangeTracker,
): Promise<TestServer> {
  return startServer(async (_request, response) => {
    await tracker?.latency(5);
    const { refused, headers } = window.admit();
    if (refused) {
      const error = { errorCode: 'CMN-301', message: 'Request rate exceeded' };
      sendJson(response, 429, { ...error, errors: [error] }, headers);
      return;
    }
    sendJson(response, 200, { retentionPeriod: 30 }, headers);
  });
}

/** A client of its own (its own pacer, as another container would have) on the shared budget. */
function client(
  server: TestServer,
  budget: MemoryBudget,
  caller: string,
  windowMs: number,
  fetch?: typeof globalThis.fetch,
) {
  return createRingCentral({
    server: server.url,
    ...(fetch ? { fetch } : {}),
    tokenSource: staticTokenSource('t'),
    limits: {
      groups: { Light: { limit: 5, windowMs } },
      shared: { budget, user: USER, caller, penaltyCheckMs: 10 },
      backoff: { baseMs: 10, maxMs: 50 },
    },
  });
}

const read = (rc: RingCentral, deadline?: number) =>
  rc.configuration.get(deadline === undefined ? {} : { deadline });

describe('the budget windows', () => {
  // 10 buckets of 100 ms per window, 50 ms of network: a window's arrivals span 12 buckets.
  const settings = { holdMs: 100, bucketsPerWindow: 10 };

  it('never grants slots in a run of buckets one window can hold beyond the limit', () => {
    // Prepare
    const empty = emptyWindows(geometryFor({ limit: 3, windowMs: 1_000 }, settings));

    // Act
    const first = planClaim(empty, { slots: 3, caller: 'a', pending: 0 }, 0);
    const taken = applyClaim(empty, first, 'a');
    const beforeDeadline = planClaim(
      taken,
      { slots: 2, caller: 'a', pending: 0, deadline: 1_199 },
      500,
    );
    const second = planClaim(taken, { slots: 2, caller: 'a', pending: 0 }, 500);

    // Assess: the first slots may arrive until 150 and count until 1,150
    expect(empty.span).toBe(12);
    expect(first.result.slots).toEqual(new Array(3).fill({ sendAt: 0, sendBy: 100 }));
    expect(beforeDeadline.result.slots).toEqual([]);
    expect(beforeDeadline.result.limitedBy).toBe('deadline');
    expect(beforeDeadline.result.nextAt).toBe(1_200);
    expect(second.result.slots).toEqual(new Array(2).fill({ sendAt: 1_200, sendBy: 1_300 }));
    expect([...second.runs.keys()]).toEqual(runsOf(taken, 12));
  });

  it('shares a window among many callers in slots of limit / callers rounded up, from a later start when asked', () => {
    // Prepare: 40 slots a window, 21 callers seen
    const state = emptyWindows(geometryFor({ limit: 40, windowMs: 15_000 }, settings));
    for (let caller = 0; caller < 20; caller += 1) state.callers.add(`c${caller}`);

    // Act: reservations only (the claim is planned a moment before the window's first bucket)
    const ahead = planClaim(state, { slots: 5, caller: 'me', pending: 0 }, -1);
    const later = planClaim(state, { slots: 1, caller: 'me', pending: 0, from: 3_000 }, -1);

    // Assess
    expect(ahead.result.slots).toHaveLength(2);
    expect(ahead.result.limitedBy).toBe('share');
    expect(later.result.slots).toEqual([{ sendAt: 3_000, sendBy: 4_500 }]);
  });

  it('agrees with a reading it accounts for, adds usage it did not grant, re-cuts new limits', () => {
    // Prepare: one slot granted at 0
    const empty = emptyWindows(geometryFor({ limit: 4, windowMs: 1_000 }, settings));
    const taken = applyClaim(
      empty,
      planClaim(empty, { slots: 1, caller: 'a', pending: 0 }, 0),
      'a',
    );
    const reading = { limit: 4, windowMs: 1_000, sentAt: 0, answeredAt: 20 };

    // Act
    const agreed = planReading(taken, { ...reading, remaining: 3 }, settings);
    const corrected = planReading(taken, { ...reading, remaining: 1 }, settings);
    const resized = planReading(
      taken,
      { ...reading, limit: 2, windowMs: 500, remaining: 1 },
      settings,
    );

    // Assess: the slot of bucket 0 (sent by 100) lands in the new 50 ms bucket 1
    expect(agreed).toBeUndefined();
    expect(corrected).toEqual({ kind: 'usage', bucket: 0, slots: 2 });
    expect(resized?.kind === 'resize' && [...resized.state.counts]).toEqual([[1, 1]]);
    expect(resized?.kind === 'resize' && resized.state.limit).toBe(2);
  });
});

describe('spare slots and due times of a claim', () => {
  it("leases spare slots free at once only while the budget stays ample, none at RingCentral's Medium limit", () => {
    // Prepare: 1,000 per second in buckets of 100 ms (a run of 12); RingCentral's 40 a minute
    const settings = { holdMs: 100, bucketsPerWindow: 10 };
    const ample = emptyWindows(geometryFor({ limit: 1_000, windowMs: 1_000 }, settings));
    const medium = emptyWindows(geometryFor({ limit: 40, windowMs: 60_000 }, { holdMs: 1_000 }));

    // Act
    const leased = planClaim(ample, { slots: 1, spare: 9, caller: 'a', pending: 0 }, 0);
    const busy = applyClaim(
      ample,
      planClaim(ample, { slots: 550, caller: 'b', pending: 0 }, 0),
      'b',
    );
    const onBusy = planClaim(busy, { slots: 1, spare: 9, caller: 'a', pending: 0 }, 10);
    const atMedium = planClaim(medium, { slots: 1, spare: 9, caller: 'a', pending: 0 }, 0);

    // Assess: spares are slots of the first bucket, written like the requested one
    expect(leased.result.slots).toEqual(new Array(10).fill({ sendAt: 0, sendBy: 100 }));
    expect(leased.buckets).toEqual([{ bucket: 0, slots: 10 }]);
    expect(onBusy.result.slots).toHaveLength(1);
    expect(atMedium.result.slots).toHaveLength(1);
  });

  it('makes a slot due when the write is answered, never before its bucket or the penalty', () => {
    // Prepare: slots planned from 1,050 (the write expected back then), buckets of 100 ms
    const result = {
      slots: [
        { sendAt: 1_050, sendBy: 1_100 },
        { sendAt: 1_200, sendBy: 1_300 },
      ],
      nextAt: undefined,
      limitedBy: undefined,
      penaltyUntil: 0,
    };

    // Act
    const answeredSooner = dueOnAnswer(result, { bucketMs: 100 }, 1_010);
    const afterPenalty = dueOnAnswer({ ...result, penaltyUntil: 1_030 }, { bucketMs: 100 }, 1_010);

    // Assess
    expect(answeredSooner.slots.map((slot) => slot.sendAt)).toEqual([1_010, 1_200]);
    expect(afterPenalty.slots.map((slot) => slot.sendAt)).toEqual([1_030, 1_200]);
  });
});

describe('clients sharing one rate budget, on the virtual clock', () => {
  let server: TestServer | undefined;
  beforeEach(() => useVirtualClock());
  afterEach(async () => {
    vi.useRealTimers();
    await server?.close();
    server = undefined;
  });

  it('sends the bursts of four clients within the shared limit: no 429', async () => {
    // Prepare: 5 requests per 500 ms for the user, answered after 5 ms; four clients with five
    // requests each
    const tracker = new ExchangeTracker();
    const window = new SlidingWindow(5, 500, 1_000);
    server = await limitedServer(window, tracker);
    const budget = createMemoryBudget(HOLD_MS);
    const clients = ['a', 'b', 'c', 'd'].map((caller) =>
      client(server!, budget, caller, 500, tracker.fetch),
    );

    // Act
    const results = await runOnVirtualClock(
      Promise.allSettled(clients.flatMap((rc) => Array.from({ length: 5 }, () => read(rc)))),
      tracker,
    );

    // Assess
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(window.tooMany).toBe(0);
    expect(server.requests).toHaveLength(20);
    expect(new Set(budget.granted.map((slot) => slot.caller))).toEqual(
      new Set(['a', 'b', 'c', 'd']),
    );
  });

  it('holds every client back while a penalty one of them met runs', async () => {
    // Prepare: someone outside the budget filled the window, so the first request meets a 429
    const tracker = new ExchangeTracker();
    const window = new SlidingWindow(5, 300, 600);
    server = await limitedServer(window, tracker);
    window.spend(5);
    const budget = createMemoryBudget(HOLD_MS);
    const [first, second] = ['a', 'b'].map((caller) =>
      client(server!, budget, caller, 300, tracker.fetch),
    ) as [RingCentral, RingCentral];

    // Act: the second client starts once the first has reported its penalty
    await runOnVirtualClock(
      (async () => {
        const firstRead = read(first);
        while (budget.calls.reportPenalty === 0)
          await new Promise((resolve) => setTimeout(resolve, 5));
        await Promise.all([firstRead, read(second)]);
      })(),
      tracker,
    );

    // Assess: one 429, then nothing before its penalty ended
    const refusedAt = server.requests[0]?.at ?? 0;
    expect(window.tooMany).toBe(1);
    expect(server.requests).toHaveLength(3);
    expect(server.requests.slice(1).every((request) => request.at >= refusedAt + 600)).toBe(true);
  });
});

describe('clients sharing one rate budget', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('refuses at once, with Retry-After, a request whose deadline comes before a free slot', async () => {
    // Prepare: another container holds the whole window
    const window = new SlidingWindow(5, 10_000, 10_000);
    server = await limitedServer(window);
    const budget = createMemoryBudget(HOLD_MS);
    await budget.claim({
      user: USER,
      group: 'Light',
      slots: 5,
      caller: 'other',
      limit: { limit: 5, windowMs: 10_000 },
    });
    const rc = client(server, budget, 'a', 10_000);

    // Act
    const outcome = await read(rc, Date.now() + 2_000).catch((error: unknown) => error);

    // Assess
    expect(outcome).toBeInstanceOf(RateBudgetExhaustedError);
    expect((outcome as RateBudgetExhaustedError).retryAfterSeconds).toBeGreaterThanOrEqual(8);
    expect(server.requests).toHaveLength(0);
  });
});
