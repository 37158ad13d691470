import { AbortedError, DeadlineExceededError } from './errors.ts';

/** Bounds every wait: an AbortSignal, an absolute deadline (epoch ms), or both. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Epoch milliseconds after which nothing may still be waiting or running. */
  deadline?: number;
}

/** Milliseconds left before the deadline; Infinity without one. */
export function remainingMs(options: CallOptions | undefined, now = Date.now()): number {
  return options?.deadline === undefined ? Number.POSITIVE_INFINITY : options.deadline - now;
}

/** Throws when the signal has fired or the deadline has passed. */
export function throwIfDone(options: CallOptions | undefined, what = 'request'): void {
  if (options?.signal?.aborted) {
    throw new AbortedError(`The ${what} was aborted`, { cause: options.signal.reason });
  }
  if (remainingMs(options) <= 0) {
    throw new DeadlineExceededError(`The deadline passed before the ${what} could start`, 0);
  }
}

/**
 * Sleeps `ms`, or fails at once when the sleep would end after the deadline: sleeping into a
 * Lambda timeout only to fail later wastes the time a caller could use to checkpoint.
 */
export async function sleepWithin(
  ms: number,
  options: CallOptions | undefined,
  what = 'wait',
): Promise<void> {
  throwIfDone(options, what);
  const left = remainingMs(options);
  if (ms > left) {
    throw new DeadlineExceededError(
      `A ${what} of ${Math.ceil(ms)} ms would outlast the deadline (${Math.max(0, Math.floor(left))} ms left)`,
      ms,
    );
  }
  if (ms <= 0) return;
  await new Promise<void>((resolve, reject) => {
    const signal = options?.signal;
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError(`The ${what} was aborted`, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * One AbortSignal for an HTTP exchange that fires on the caller's signal or at the deadline.
 * `isDeadline()` tells the two apart when mapping the abort to an error.
 */
export function exchangeSignal(options: CallOptions | undefined): {
  signal: AbortSignal | undefined;
  isDeadline: () => boolean;
} {
  const signals: AbortSignal[] = [];
  if (options?.signal) signals.push(options.signal);
  let deadlineSignal: AbortSignal | undefined;
  const left = remainingMs(options);
  if (Number.isFinite(left)) {
    deadlineSignal = AbortSignal.timeout(Math.max(1, Math.ceil(left)));
    signals.push(deadlineSignal);
  }
  return {
    signal: signals.length === 0 ? undefined : AbortSignal.any(signals),
    isDeadline: () => deadlineSignal?.aborted === true && options?.signal?.aborted !== true,
  };
}
