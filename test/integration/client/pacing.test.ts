import { afterEach, describe, expect, it } from 'vitest';
import { type ClientHarness, startClientHarness } from './client-harness.ts';

/** Light: 10 requests per 1 s window (20 s scaled by 0.05); penalty 3 s. */
const LIMITS = {
  windowScale: 0.05,
  groups: { Light: { limit: 10, windowSeconds: 20 } },
  penaltySeconds: 60,
};

describe('pacing against the local RingCentral', () => {
  let harness: ClientHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it('one client sends a burst of 35 Light requests without a 429', async () => {
    // Prepare
    harness = await startClientHarness({ rateLimits: LIMITS });
    const { emulator, tokens, rc } = harness;
    await tokens.getToken();
    const started = Date.now();

    // Act
    await Promise.all(Array.from({ length: 35 }, () => rc.configuration.get()));

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
    harness = await startClientHarness({ rateLimits: LIMITS });
    const { emulator, tokens } = harness;
    await tokens.getToken();
    const first = harness.createClient();
    const second = harness.createClient();

    // Act
    await Promise.all([
      ...Array.from({ length: 15 }, () => first.configuration.get()),
      ...Array.from({ length: 15 }, () => second.configuration.get()),
    ]);

    // Assess
    const stats = emulator.stats();
    expect(stats.tooManyRequestsByGroup.Light).toBe(0);
    expect(stats.requestsByGroup.Light).toBe(30);
  });
});
