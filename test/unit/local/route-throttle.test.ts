import { describe, expect, it } from 'vitest';
import { createRouteThrottle } from '../../../local/stack/route-throttle.ts';

describe('createRouteThrottle', () => {
  it('starts full, refills at the rate up to the burst, and never below zero time', () => {
    // Prepare
    let now = 1_000;
    const throttle = createRouteThrottle({ rateLimit: 10, burstLimit: 2 }, () => now);
    const take = (count: number) => Array.from({ length: count }, () => throttle.tryTake());

    // Act
    const burst = take(3);
    now += 100; // one token at 10 per second
    const afterTenth = take(2);
    now += 60_000; // a minute refills no more than the burst
    const afterMinute = take(3);
    now -= 5_000; // a clock going back refills nothing
    const afterBackwards = take(1);

    // Assess
    expect(burst).toEqual([true, true, false]);
    expect(afterTenth).toEqual([true, false]);
    expect(afterMinute).toEqual([true, true, false]);
    expect(afterBackwards).toEqual([false]);
  });

  it('takes a fractional rate: one request every two seconds at 0.5', () => {
    // Prepare
    let now = 0;
    const throttle = createRouteThrottle({ rateLimit: 0.5, burstLimit: 1 }, () => now);

    // Act
    const first = throttle.tryTake();
    now += 1_999;
    const early = throttle.tryTake();
    now += 1;
    const onTime = throttle.tryTake();

    // Assess
    expect([first, early, onTime]).toEqual([true, false, true]);
  });
});
