/**
 * One dispatch of the account-wide archive: read the registry once, publish its completeness
 * (metrics, and the `Archive Behind` / `Archive Caught Up` event on a transition), pick the due
 * extensions most-behind first and hand them to the archive worker in batches, asynchronously.
 * The worker's reserved concurrency bounds how many run at once; `maxBatches` matches it, so a
 * dispatch queues no more than can run, and the rest are the most behind at the next dispatch.
 */
import {
  assessCompleteness,
  type CompletenessAlarmStore,
  type CompletenessReport,
  completenessTransition,
} from './completeness.ts';
import type { ExtensionEntry, ExtensionRegistry } from './ports.ts';
import { batchesOf, dueExtensions } from './schedule.ts';

/** Defaults of the dispatch settings (infra/function-settings.ts sets the worker's concurrency). */
export const DISPATCH_DEFAULTS = {
  batchSize: 25,
  workers: 4,
  /** Six hours: where archive-export runs, content arrives through it; the sweep brings deletions. */
  sweepMinutes: 360,
  behindMinutes: 120,
  workerTimeoutSeconds: 240,
} as const;

/** What a dispatch works with (ports: the adapters are in lib/aws). */
export interface DispatchDependencies {
  registry: Pick<ExtensionRegistry, 'list' | 'markDispatched'>;
  alarm: CompletenessAlarmStore;
  events: { publish(entries: Array<{ detailType: string; detail: unknown }>): Promise<void> };
  /** Queues one worker invocation (Lambda's asynchronous invoke). */
  worker: { invoke(payload: { extensionIds: string[] }): Promise<void> };
  now?: () => number;
}

/** How a dispatch decides. */
export interface DispatchSettings {
  /** Extensions per worker invocation. */
  batchSize: number;
  /** Worker invocations per dispatch (the worker's reserved concurrency). */
  maxBatches: number;
  /** An extension complete within this is not due (unless marked changed). */
  minIntervalMs: number;
  /** An extension handed out within this (the worker's timeout) and not run since is in flight. */
  inFlightMs: number;
  /** An extension whose archive is older than this is behind. */
  behindThresholdSeconds: number;
}

/** What a dispatch did (the function's return value: counts and ids only). */
export interface DispatchResult {
  completeness: Omit<CompletenessReport, 'behind' | 'failing'> & {
    behind: number;
    failing: number;
  };
  report: CompletenessReport;
  due: number;
  dispatched: number;
  batches: number;
  /** The detail-type of the event published, if any. */
  event?: string;
}

/** Runs one dispatch. */
export async function dispatchArchive(
  dependencies: DispatchDependencies,
  settings: DispatchSettings,
): Promise<DispatchResult> {
  const now = (dependencies.now ?? Date.now)();
  const entries: ExtensionEntry[] = [];
  for await (const entry of dependencies.registry.list()) entries.push(entry);
  const options = { now, behindThresholdSeconds: settings.behindThresholdSeconds };
  const report = assessCompleteness(entries, options);
  const transition = completenessTransition(report, await dependencies.alarm.read(), options);
  if (transition.event) {
    await dependencies.events.publish([transition.event]);
    await dependencies.alarm.write(transition.next);
  }
  const due = dueExtensions(entries, {
    now,
    minIntervalMs: settings.minIntervalMs,
    inFlightMs: settings.inFlightMs,
  });
  const batches = batchesOf(due, settings);
  // Before the invokes: a worker's progress (a later lastRunAt) must not be overwritten by it.
  await dependencies.registry.markDispatched(batches.flat(), new Date(now).toISOString());
  await Promise.all(batches.map((extensionIds) => dependencies.worker.invoke({ extensionIds })));
  const { behind, failing, ...counts } = report;
  return {
    completeness: { ...counts, behind: behind.length, failing: failing.length },
    report,
    due: due.length,
    dispatched: batches.reduce((sum, batch) => sum + batch.length, 0),
    batches: batches.length,
    ...(transition.event ? { event: transition.event.detailType } : {}),
  };
}
