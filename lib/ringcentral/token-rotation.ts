import type { AccessToken, TokenSource } from './auth-types.ts';
import type { CallOptions } from './deadline.ts';
import { sleepWithin } from './deadline.ts';

/** How the client polls its token source for a session newer than a rejected one. */
export interface RotationPolling {
  /** First pause between polls; it doubles. */
  firstDelayMs: number;
  /** Longest pause between polls. */
  maxDelayMs: number;
  /** Reads of the token source at most, the first included. */
  maxPolls: number;
}

/**
 * 50 ms doubling to 1 s, 8 reads (about 3.5 s of pauses, plus whatever each read waits): a
 * refresher writes the new session a moment after it has killed the old token.
 */
export const DEFAULT_ROTATION_POLLING: RotationPolling = {
  firstDelayMs: 50,
  maxDelayMs: 1_000,
  maxPolls: 8,
};

/** The pause after read number `poll` (1-based) that returned the rejected token again. */
export function rotationDelay(policy: RotationPolling, poll: number): number {
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, poll - 1));
}

/**
 * After RingCentral rejected `rejected` (401 OAU-210/213), tells the source, then reads it until
 * it hands out a different token, pausing between reads with the shared abortable sleep, so
 * every pause is bounded by the caller's signal and deadline (DeadlineExceededError when the next
 * pause would outlast it). A source reads a store that only moves forward (the session secret the
 * refresher writes, a refresh grant), so a different token is a newer one. Resolves undefined
 * when the source still has nothing newer after `maxPolls` reads: the 401 then stands.
 */
export async function awaitNewerToken(
  source: TokenSource,
  rejected: AccessToken,
  options: CallOptions | undefined,
  policy: RotationPolling = DEFAULT_ROTATION_POLLING,
): Promise<AccessToken | undefined> {
  await source.invalidate?.(rejected);
  for (let poll = 1; poll <= policy.maxPolls; poll += 1) {
    if (poll > 1) {
      await sleepWithin(rotationDelay(policy, poll - 1), options, 'wait for a new session');
    }
    // The first read follows the invalidation; later ones must bypass any cache.
    const token = await source.getToken({ signal: options?.signal, forceRefresh: poll > 1 });
    if (token.accessToken !== rejected.accessToken) return token;
  }
  return undefined;
}
