import { describe, expect, it } from 'vitest';
import { RecentDurations } from '../../../lib/ringcentral/index.ts';

describe('recent store round trips', () => {
  it('estimates most of the last samples high and the rule by the median, forgetting older ones', () => {
    // Prepare
    const durations = new RecentDurations(10, 0.9);
    const empty = { high: durations.high, typical: durations.typical };

    // Act: one slow sample among fast ones, then ten fast ones push it out
    for (const ms of [100, 100, 100, 100, 100, 100, 100, 100, 100, 5_000]) durations.add(ms);
    const withSlow = { high: durations.high, typical: durations.typical };
    for (let index = 0; index < 10; index += 1) durations.add(50);

    // Assess
    expect(empty).toEqual({ high: 0, typical: 0 });
    expect(withSlow).toEqual({ high: 100, typical: 100 });
    expect(durations.high).toBe(50);
  });
});
