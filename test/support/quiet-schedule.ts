/**
 * A schedule for `startLocalStack` in which no job runs on its own during a test (each once an
 * hour, and the jobs with a first run of their own soon after the start, an hour after it too),
 * but for the subscription keeper's run at start: the test runs what it needs, and nothing it
 * did not start competes for the machine.
 */
import type { LocalStackOptions } from '../../local/stack/stack.ts';

type Schedule = NonNullable<LocalStackOptions['schedule']>;

const HOUR = 60 * 60 * 1000;

/** Every job hourly, but for the ones a test sets in `overrides`. */
export function quietSchedule(overrides: Schedule = {}): Schedule {
  return {
    archiveEveryMs: HOUR,
    tokenRefreshEveryMs: HOUR,
    purgeEveryMs: HOUR,
    subscriptionKeeperEveryMs: HOUR,
    extensionsEveryMs: HOUR,
    reconcileEveryMs: HOUR,
    messageStatusEveryMs: HOUR,
    archiveExportEveryMs: HOUR,
    // Their own first runs (1 s, 5 s, 1 min, 2 min after the start) would not wait the hour.
    firstRunAfterMs: {
      'archive-dispatch': HOUR,
      'archive-export': HOUR,
      purge: HOUR,
      reconcile: HOUR,
    },
    ...overrides,
  };
}
