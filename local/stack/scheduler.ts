/**
 * The local scheduler: EventBridge Scheduler on a compressed clock. Each job invokes its function
 * with the input the deployed schedule sends (`{ "source": "schedule" }`, see
 * infra/constructs/scheduled-job.ts) every `everyMs`. A run still going when the next one is due
 * is not doubled (the scheduled functions have reserved concurrency 1); the tick is reported as
 * skipped instead.
 */

/** The input every deployed schedule passes to its function. */
export const SCHEDULE_INPUT = { source: 'schedule' } as const;

/** One scheduled job. */
export interface ScheduledJobSpec {
  functionName: string;
  everyMs: number;
  /** Delay of the first run after start; default `everyMs`. */
  firstAfterMs?: number;
  /** Default {@link SCHEDULE_INPUT}. */
  input?: unknown;
}

/** What the scheduler reports per tick. */
export type ScheduleTick =
  | { functionName: string; outcome: 'ran'; durationMs: number }
  | { functionName: string; outcome: 'failed'; error: unknown }
  | { functionName: string; outcome: 'skipped' };

/** Options of {@link startScheduler}. */
export interface SchedulerOptions {
  jobs: readonly ScheduledJobSpec[];
  /** Runs one invocation; its promise settles when the function finished. */
  invoke(functionName: string, input: unknown): Promise<unknown>;
  onTick?: (tick: ScheduleTick) => void;
}

/** A running scheduler. */
export interface RunningScheduler {
  /** Runs a job now (outside its schedule), unless it is running. */
  runNow(functionName: string, input?: unknown): Promise<void>;
  /** Stops the timers and waits for the runs in progress. */
  stop(): Promise<void>;
}

/** Starts the timers of every job. */
export function startScheduler(options: SchedulerOptions): RunningScheduler {
  const running = new Map<string, Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const run = (functionName: string, input: unknown): Promise<void> => {
    if (stopped) return Promise.resolve();
    const current = running.get(functionName);
    if (current) {
      options.onTick?.({ functionName, outcome: 'skipped' });
      return current;
    }
    const started = performance.now();
    const execution = options
      .invoke(functionName, input)
      .then(
        () =>
          options.onTick?.({
            functionName,
            outcome: 'ran',
            durationMs: performance.now() - started,
          }),
        (error: unknown) => options.onTick?.({ functionName, outcome: 'failed', error }),
      )
      .finally(() => running.delete(functionName));
    running.set(functionName, execution);
    return execution;
  };

  for (const job of options.jobs) {
    const input = job.input ?? SCHEDULE_INPUT;
    const first = setTimeout(() => {
      timers.delete(first);
      void run(job.functionName, input);
      const every = setInterval(() => void run(job.functionName, input), job.everyMs);
      timers.add(every);
    }, job.firstAfterMs ?? job.everyMs);
    timers.add(first);
  }

  return {
    runNow: (functionName, input = SCHEDULE_INPUT) => run(functionName, input),
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...running.values()]);
    },
  };
}
