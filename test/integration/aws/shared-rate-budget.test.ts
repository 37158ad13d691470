import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoRateBudgetOptions } from '../../../lib/aws/shared-rate-budget.ts';
import { createDynamoRateBudget } from '../../../lib/aws/shared-rate-budget.ts';
import type { GrantedSlot, SharedRateBudget } from '../../../lib/ringcentral/index.ts';
import type { LocalDynamo } from '../../support/dynalite.ts';
import { startDynalite } from '../../support/dynalite.ts';

const LIMIT = { limit: 10, windowMs: 60_000 };
const HOLD_MS = 1_000;

/** Largest number of slots whose requests may count in one window, each arriving anywhere in [sendAt, sendAt + hold]. */
function mostInAnyWindow(slots: readonly GrantedSlot[], windowMs: number): number {
  const starts = slots.map((slot) => slot.sendAt).sort((a, b) => a - b);
  let most = 0;
  for (const [first, at] of starts.entries()) {
    // Requests of slots starting before at + W + hold may share a window with this one.
    const together = starts.slice(first).filter((other) => other < at + windowMs + HOLD_MS);
    most = Math.max(most, together.length);
  }
  return most;
}

describe('the shared rate budget on dynalite', () => {
  let dynamo: LocalDynamo;
  let tableName: string;
  let clock: number;
  let user = 0;

  const budget = (overrides: Partial<DynamoRateBudgetOptions> = {}): SharedRateBudget =>
    createDynamoRateBudget({
      tableName,
      client: dynamo.client,
      now: () => clock,
      holdMs: HOLD_MS,
      ...overrides,
    });
  const nextUser = (): string => `app:ext-${++user}`;

  beforeAll(async () => {
    dynamo = await startDynalite();
    tableName = await dynamo.createStateTable();
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  it('never grants more than the limit in any window to many concurrent claimers', async () => {
    // Prepare: 8 processes, each with its own adapter, asking for 6 slots three times over
    clock = 1_000_000;
    const key = { user: nextUser(), group: 'Medium' as const };
    const processes = Array.from({ length: 8 }, () => budget());

    // Act
    const granted: GrantedSlot[] = [];
    for (let round = 0; round < 3; round += 1) {
      const results = await Promise.all(
        processes.map((process, index) =>
          process.claim({ ...key, slots: 6, caller: `p${index}`, limit: LIMIT }),
        ),
      );
      granted.push(...results.flatMap((result) => result.slots));
      clock += 20_000;
    }

    // Assess
    expect(granted.length).toBeGreaterThan(LIMIT.limit);
    expect(mostInAnyWindow(granted, LIMIT.windowMs)).toBeLessThanOrEqual(LIMIT.limit);
  });

  it('stops every process at once when one reports a penalty', async () => {
    // Prepare
    clock = 2_000_000;
    const key = { user: nextUser(), group: 'Heavy' as const };
    const [reporter, other] = [budget(), budget()];
    await other.claim({ ...key, slots: 1, caller: 'other', limit: LIMIT });
    const until = clock + 30_000;

    // Act
    await reporter.reportPenalty({ ...key, until });
    clock += 1;
    const claimed = await other.claim({ ...key, slots: 3, caller: 'other', limit: LIMIT });
    clock += 1_000;
    const read = await other.penaltyUntil(key);
    await reporter.reportPenalty({ ...key, until: until - 10_000 });
    clock += 1_000;
    const afterEarlierReport = await other.penaltyUntil(key);

    // Assess
    expect(claimed.penaltyUntil).toBe(until);
    expect(claimed.slots.length).toBeGreaterThan(0);
    expect(claimed.slots.every((slot) => slot.sendAt >= until)).toBe(true);
    expect(read).toBe(until);
    expect(afterEarlierReport).toBe(until);
  });

  it('grants no slot past the deadline and says when one frees', async () => {
    // Prepare: the whole window taken
    clock = 3_000_000;
    const key = { user: nextUser(), group: 'Light' as const };
    const process = budget();
    const first = await process.claim({ ...key, slots: 10, caller: 'a', limit: LIMIT });
    clock += 5_000;

    // Act
    const refused = await process.claim({
      ...key,
      slots: 2,
      caller: 'b',
      limit: LIMIT,
      deadline: clock + 10_000,
    });

    // Assess
    expect(first.slots).toHaveLength(10);
    expect(refused.slots).toEqual([]);
    expect(refused.limitedBy).toBe('deadline');
    expect(refused.nextAt).toBe(3_000_000 + LIMIT.windowMs + HOLD_MS);
  });

  it('lets a caller reserve no more than its share while another waits', async () => {
    // Prepare: a took the whole window; b and a now both queue for the next one
    clock = 4_000_000;
    const key = { user: nextUser(), group: 'Medium' as const };
    const [a, b] = [budget(), budget()];
    await a.claim({ ...key, slots: 10, caller: 'a', limit: LIMIT });
    clock += 1_000;

    // Act
    const forB = await b.claim({ ...key, slots: 10, caller: 'b', limit: LIMIT });
    const forA = await a.claim({ ...key, slots: 10, caller: 'a', limit: LIMIT });
    const aAgain = await a.claim({ ...key, slots: 1, caller: 'a', limit: LIMIT });

    // Assess
    expect(forB.slots).toHaveLength(5);
    expect(forB.limitedBy).toBe('share');
    expect(forA.slots).toHaveLength(5);
    expect(aAgain.slots).toEqual([]);
    expect(aAgain.limitedBy).toBe('share');
  });

  it('learns a new limit and usage it did not grant from response headers', async () => {
    // Prepare
    clock = 5_000_000;
    const key = { user: nextUser(), group: 'Light' as const };
    const process = budget({ learnIntervalMs: 0 });
    await process.claim({ ...key, slots: 1, caller: 'a', limit: LIMIT });

    // Act: RingCentral says 4 per 30 s, 3 of them used, though this budget granted only 1
    const reading = { limit: 4, windowMs: 30_000, sentAt: clock, answeredAt: clock + 50 };
    await process.learn({ ...key, reading: { ...reading, remaining: 3 } });
    await process.learn({ ...key, reading: { ...reading, remaining: 1 } });
    clock += 100;
    const claimed = await process.claim({ ...key, slots: 2, caller: 'a', limit: LIMIT });

    // Assess: one slot of four left now; the next once the others' usage has left the window
    const [now, later] = claimed.slots;
    expect(claimed.slots).toHaveLength(2);
    expect(now?.sendAt).toBe(clock);
    expect(later?.sendAt).toBeGreaterThanOrEqual(5_000_000 + 50 + 30_000);
  });
});
