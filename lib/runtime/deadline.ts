import type { Context } from 'aws-lambda';

/** An invocation's deadline (epoch ms) and a signal that aborts at it. */
export interface InvocationDeadline {
  deadline: number;
  signal: AbortSignal;
}

/**
 * deadline = now + remaining time (capped by `maxDurationMs`) - `safetyMs`, so the function can
 * still checkpoint and answer; the signal also follows middy's own abort signal, when given.
 */
export function deadlineSignal(options: {
  context: Partial<Pick<Context, 'getRemainingTimeInMillis'>> | undefined;
  safetyMs: number;
  maxDurationMs?: number;
  fallbackRemainingMs?: number;
  signal?: AbortSignal;
  now?: number;
}): InvocationDeadline {
  const now = options.now ?? Date.now();
  const reported =
    typeof options.context?.getRemainingTimeInMillis === 'function'
      ? options.context.getRemainingTimeInMillis()
      : (options.fallbackRemainingMs ?? 60_000);
  const remaining = Math.min(reported, options.maxDurationMs ?? Number.POSITIVE_INFINITY);
  const budget = Math.max(0, remaining - options.safetyMs);
  const deadline = now + budget;
  const timeout = timeoutSignal(Math.max(1, budget));
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  return { deadline, signal };
}

/**
 * AbortSignal.timeout on the global `setTimeout` (Node's own runs on an internal timer that no
 * test clock can move), aborting with the same TimeoutError and not keeping the process alive.
 */
function timeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      ),
    ms,
  );
  timer.unref?.();
  return controller.signal;
}
