import { timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type ConstantTimeCompare,
  verificationTokenMatches,
} from '../../../lib/webhooks/verification.ts';

/** Wraps the real timingSafeEqual and records the lengths it was given. */
function watchedCompare() {
  const calls: Array<[number, number]> = [];
  const compare: ConstantTimeCompare = (a, b) => {
    calls.push([a.byteLength, b.byteLength]);
    return timingSafeEqual(a, b);
  };
  return { calls, compare };
}

describe('verificationTokenMatches', () => {
  it('accepts the expected token', () => {
    // Prepare
    const { compare, calls } = watchedCompare();

    // Act
    const result = verificationTokenMatches('s3cret-token', 's3cret-token', compare);

    // Assess
    expect(result).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('compares equal-length buffers with timingSafeEqual even when the lengths differ', () => {
    // Prepare
    const { compare, calls } = watchedCompare();

    // Act
    const results = [
      verificationTokenMatches('short', 'a-much-longer-expected-token', compare),
      verificationTokenMatches('s3cret-tokeX', 's3cret-token', compare),
      verificationTokenMatches('', 's3cret-token', compare),
    ];

    // Assess
    expect(results).toEqual([false, false, false]);
    expect(calls).toHaveLength(3);
    for (const [a, b] of calls) expect(a).toBe(b);
  });

  it('rejects a missing token and an unconfigured expected token without comparing', () => {
    // Prepare
    const { compare, calls } = watchedCompare();

    // Act
    const results = [
      verificationTokenMatches(undefined, 's3cret-token', compare),
      verificationTokenMatches('', '', compare),
    ];

    // Assess
    expect(results).toEqual([false, false]);
    expect(calls).toHaveLength(0);
  });

  it('uses crypto.timingSafeEqual by default', () => {
    // Prepare
    const expected = 'token-value';

    // Act
    const results = [
      verificationTokenMatches('token-value', expected),
      verificationTokenMatches('token-valuf', expected),
    ];

    // Assess
    expect(results).toEqual([true, false]);
  });
});
