/**
 * A virtual clock for tests of time-driven code that talks over real HTTP (the pacer against a
 * rate-limited server): `Date` and `setTimeout` are vitest's fakes, and time moves only when no
 * exchange is on its way, to the next timer due. A starved CPU makes the test slower, never
 * different: what happens at which virtual moment is the same on an idle and a loaded machine.
 */
import { setTimeout as realSleep } from 'node:timers/promises';
import { vi } from 'vitest';

/** Counts exchanges that are on their way in real time (not parked on a virtual timer). */
export class ExchangeTracker {
  private sending = 0;
  private parked = 0;

  /** A fetch that counts its exchanges from the call until the response headers. */
  readonly fetch: typeof fetch = async (input, init) => {
    this.sending += 1;
    try {
      return await fetch(input, init);
    } finally {
      this.sending -= 1;
    }
  };

  /** Server side: waits `ms` of virtual time, the exchange counted as parked meanwhile. */
  async latency(ms: number): Promise<void> {
    this.parked += 1;
    try {
      await new Promise((resolve) => setTimeout(resolve, ms));
    } finally {
      this.parked -= 1;
    }
  }

  /** Whether some exchange is still moving in real time (I/O, parsing, the handler). */
  get moving(): boolean {
    return this.sending > this.parked;
  }
}

/** Switches `Date` and `setTimeout` to the virtual clock; undo with `vi.useRealTimers()`. */
export function useVirtualClock(): void {
  vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
}

/**
 * Drives `work` to its end: whenever nothing has moved for a few real turns of the event loop,
 * advances the virtual clock to the next timer and runs it. `timersLateMs` makes every timer run
 * that much after it was due, as on a starved event loop, the same way on every run.
 */
export async function runOnVirtualClock<T>(
  work: Promise<T>,
  tracker: ExchangeTracker,
  options: { timersLateMs?: number } = {},
): Promise<T> {
  let settled = false;
  const result = work.finally(() => {
    settled = true;
  });
  result.catch(() => undefined);
  while (!settled) {
    await quiescence(tracker);
    if (settled) break;
    if (vi.getTimerCount() === 0) throw new Error('Stalled: nothing in flight, no timer due');
    // The fake clock moves its timers along with the system time: each now runs that much late.
    if (options.timersLateMs) vi.setSystemTime(Date.now() + options.timersLateMs);
    await vi.advanceTimersToNextTimerAsync();
  }
  return result;
}

/** Resolves once no exchange has moved for three turns of the event loop (real time). */
async function quiescence(tracker: ExchangeTracker): Promise<void> {
  for (let quiet = 0; quiet < 3; ) {
    if (tracker.moving) {
      quiet = 0;
      await realSleep(1);
    } else {
      quiet += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
