/**
 * What both pacers (`rate-limit.ts`, `shared-pacer.ts`) keep the same way: the FIFO of requests
 * waiting for a permit, each leaving it when its signal aborts, and the one timer that wakes the
 * pacer at the next moment something can change.
 */
import type { CallOptions } from './deadline.ts';
import { throwIfDone } from './deadline.ts';
import { AbortedError } from './errors.ts';
import type { Permit, WaitReason } from './rate-limit.ts';

/** One request waiting for a permit. */
export interface Waiter {
  readonly options: CallOptions | undefined;
  /** The last wait reason reported to the `onWait` hook for it. */
  reported: WaitReason | undefined;
}

interface Entry extends Waiter {
  resolve: (permit: Permit) => void;
  reject: (error: Error) => void;
  dispose: () => void;
}

/** The waiters of one group, in arrival order. */
export class WaiterQueue {
  private readonly entries: Entry[] = [];

  /**
   * @param what names the wait in the abort error, e.g. "the Light rate-limit group".
   * @param changed called whenever a waiter joins or leaves by abort (the pacer pumps).
   */
  constructor(
    private readonly what: string,
    private readonly changed: () => void,
  ) {}

  /** Queues a request; settles when the pacer grants or refuses it, or its signal aborts. */
  wait(options: CallOptions | undefined, label: string): Promise<Permit> {
    throwIfDone(options, label);
    return new Promise<Permit>((resolve, reject) => {
      const entry: Entry = { options, resolve, reject, reported: undefined, dispose: () => {} };
      const signal = options?.signal;
      if (signal) {
        const onAbort = (): void => {
          this.take(entry);
          reject(new AbortedError(`Waiting for ${this.what} was aborted`));
          this.changed();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        entry.dispose = () => signal.removeEventListener('abort', onAbort);
      }
      this.entries.push(entry);
      this.changed();
    });
  }

  get length(): number {
    return this.entries.length;
  }

  /** The waiters from `start`, in order (a copy: granting or refusing while iterating is safe). */
  list(start = 0): Waiter[] {
    return this.entries.slice(start);
  }

  /** The waiter at `index`, if any. */
  at(index: number): Waiter | undefined {
    return this.entries[index];
  }

  /** Gives `waiter` its permit and removes it. */
  grant(waiter: Waiter, permit: Permit): void {
    this.take(waiter)?.resolve(permit);
  }

  /** Refuses `waiter` with `error` and removes it. */
  refuse(waiter: Waiter, error: Error): void {
    this.take(waiter)?.reject(error);
  }

  private take(waiter: Waiter): Entry | undefined {
    const index = this.entries.indexOf(waiter as Entry);
    if (index === -1) return undefined;
    const [entry] = this.entries.splice(index, 1) as [Entry];
    entry.dispose();
    return entry;
  }
}

/** One timer, re-armed only when the moment changes. */
export class WakeTimer {
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(private readonly wake: () => void) {}

  /** Wakes at `at` (epoch ms, from `now`); never when `at` is infinite. */
  schedule(at: number, now: number): void {
    if (at === this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (!Number.isFinite(at)) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.wake();
      },
      Math.max(0, at - now + 1),
    );
  }
}
