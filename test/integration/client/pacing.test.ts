import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ExchangeTracker,
  runOnVirtualClock,
  useVirtualClock,
} from '../../support/virtual-clock.ts';
import { type ClientHarness, startClientHarness } from './client-harness.ts';

/** Light: 10 requests per 1 s window (20 s scaled by 0.05); penalty 3 s. */
const LIMITS = {
  windowScale: 0.05,
  groups: { Light: { limit: 10, windowSeconds: 20 } },
  penaltySeconds: 60,
};

/**
 * The emulator's windows and the clients' pacers run on one virtual clock, moved only while no
 * exchange is on its way: a loaded machine slows the test down but cannot change what either
 * side sees.
 */
describe('pacing against the local RingCentral', () => {
  let harness: ClientHarness | undefined;
  let tracker = new ExchangeTracker();
  beforeEach(() => {
    tracker = new ExchangeTracker();
    useVirtualClock();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await harness?.stop();
    harness = undefined;
  });

  it('one client sends a burst of 35 Light requests without a 429', async () => {
    // Prepare
    harness = await startClientHarness({ rateLimits: LIMITS }, { fetch: tracker.fetch });
    const { emulator, tokens, rc } = harness;
    await tokens.getToken();
    const started = Date.now();

    // Act
    await runOnVirtualClock(
      Promise.all(Array.from({ length: 35 }, () => rc.configuration.get())),
      tracker,
    );

    // Assess: 35 at 10 per second need at least three windows after the first, and not many more
    const elapsed = Date.now() - started;
    const stats = emulator.stats();
    expect(stats.tooManyRequestsByGroup.Light).toBe(0);
    expect(stats.requestsByGroup.Light).toBe(35);
    expect(elapsed).toBeGreaterThanOrEqual(3_000);
    expect(elapsed).toBeLessThan(6_500);
  });

  it('two clients of the same user share the budget without a 429', async () => {
    // Prepare
    harness = await startClientHarness({ rateLimits: LIMITS }, { fetch: tracker.fetch });
    const { emulator, tokens } = harness;
    await tokens.getToken();
    const first = harness.createClient();
    const second = harness.createClient();

    // Act
    await runOnVirtualClock(
      Promise.all([
        ...Array.from({ length: 15 }, () => first.configuration.get()),
        ...Array.from({ length: 15 }, () => second.configuration.get()),
      ]),
      tracker,
    );

    // Assess
    const stats = emulator.stats();
    expect(stats.tooManyRequestsByGroup.Light).toBe(0);
    expect(stats.requestsByGroup.Light).toBe(30);
  });
});
