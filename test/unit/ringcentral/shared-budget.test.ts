import { afterEach, describe, expect, it } from 'vitest';
import type { RingCentral } from '../../../lib/ringcentral/index.ts';
import {
  createRingCentral,
  emptyRing,
  planClaim,
  planReading,
  RateBudgetExhaustedError,
  staticTokenSource,
} from '../../../lib/ringcentral/index.ts';
import type { TestServer } from './support/http-server.ts';
import { SlidingWindow, sendJson, startServer } from './support/http-server.ts';
import type { MemoryBudget } from './support/memory-budget.ts';
import { createMemoryBudget } from './support/memory-budget.ts';

const USER = 'app:ext-1';
// Must cover the time from a grant to the arrival at the server, on a loaded machine too.
const HOLD_MS = 200;

async function limitedServer(window: SlidingWindow): Promise<TestServer> {
  return startServer((_request, response) => {
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
function client(server: TestServer, budget: MemoryBudget, caller: string, windowMs: number) {
  return createRingCentral({
    server: server.url,
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

describe('the slot ring', () => {
  it('never lets a slot be granted again before its request has left the window', () => {
    // Prepare
    const ring = emptyRing({ limit: 3, windowMs: 1_000 });

    // Act
    const first = planClaim(ring, { slots: 3, caller: 'a' }, 0, { holdMs: 100 });
    const taken = { ...ring, busyUntil: first.updates.map((update) => update.busyUntil) };
    const second = planClaim(taken, { slots: 2, caller: 'b' }, 500, { holdMs: 100 });

    // Assess
    expect(first.result.slots.map((slot) => slot.sendAt)).toEqual([0, 0, 0]);
    expect(second.result.slots.map((slot) => slot.sendAt)).toEqual([1_100, 1_100]);
    expect(second.result.slots.every((slot) => slot.sendBy === slot.sendAt + 50)).toBe(true);
  });

  it('agrees with a reading it accounts for and occupies slots for usage it did not grant', () => {
    // Prepare: one slot granted at 0
    const ring = emptyRing({ limit: 4, windowMs: 1_000 });
    const plan = planClaim(ring, { slots: 1, caller: 'a' }, 0, { holdMs: 100 });
    const taken = {
      ...ring,
      busyUntil: [plan.updates[0]?.busyUntil ?? 0, 0, 0, 0],
      sendAt: [0, 0, 0, 0],
      owners: ['a', '', '', ''],
    };
    const reading = { limit: 4, windowMs: 1_000, sentAt: 0, answeredAt: 20 };

    // Act
    const agreed = planReading(taken, { ...reading, remaining: 3 });
    const corrected = planReading(taken, { ...reading, remaining: 1 });

    // Assess
    expect(agreed).toBeUndefined();
    expect(corrected?.busyUntil.filter((until) => until === 1_020)).toHaveLength(2);
  });
});

describe('clients sharing one rate budget', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends the bursts of four clients within the shared limit: no 429', async () => {
    // Prepare: 5 requests per 500 ms for the user; four clients with five requests each
    const window = new SlidingWindow(5, 500, 1_000);
    server = await limitedServer(window);
    const budget = createMemoryBudget(HOLD_MS);
    const clients = ['a', 'b', 'c', 'd'].map((caller) => client(server!, budget, caller, 500));

    // Act
    const results = await Promise.allSettled(
      clients.flatMap((rc) => Array.from({ length: 5 }, () => read(rc))),
    );

    // Assess
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(window.tooMany).toBe(0);
    expect(server.requests).toHaveLength(20);
    expect(new Set(budget.granted.map((slot) => slot.caller))).toEqual(
      new Set(['a', 'b', 'c', 'd']),
    );
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

  it('holds every client back while a penalty one of them met runs', async () => {
    // Prepare: someone outside the budget filled the window, so the first request meets a 429
    const window = new SlidingWindow(5, 300, 600);
    server = await limitedServer(window);
    window.spend(5);
    const budget = createMemoryBudget(HOLD_MS);
    const [first, second] = [client(server, budget, 'a', 300), client(server, budget, 'b', 300)];

    // Act
    const firstRead = read(first);
    while (budget.calls.reportPenalty === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const secondRead = read(second);
    await Promise.all([firstRead, secondRead]);

    // Assess: one 429, then nothing before its penalty ended
    const refusedAt = server.requests[0]?.at ?? 0;
    expect(window.tooMany).toBe(1);
    expect(server.requests).toHaveLength(3);
    expect(server.requests.slice(1).every((request) => request.at >= refusedAt + 600)).toBe(true);
  });
});
