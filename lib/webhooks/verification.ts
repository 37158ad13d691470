/**
 * The webhook's Verification-Token check. A plain `===` returns sooner the earlier the first
 * differing character is, which lets a caller guess the token byte by byte from response times.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares two equal-length buffers in constant time (`crypto.timingSafeEqual`'s signature). */
export type ConstantTimeCompare = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => boolean;

/**
 * True when `presented` equals `expected`, compared in constant time. Both sides are hashed to
 * SHA-256 first: `timingSafeEqual` needs equal-length buffers, and comparing digests hides the
 * expected token's length as well. `compare` is injectable so tests can watch it being used.
 */
export function verificationTokenMatches(
  presented: string | undefined,
  expected: string,
  compare: ConstantTimeCompare = timingSafeEqual,
): boolean {
  if (presented === undefined || expected === '') return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return compare(digest(presented), digest(expected));
}
