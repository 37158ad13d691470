/**
 * archive-dispatch (schedule every 5 minutes): the account-wide archive's dispatcher
 * (lib/extensions/dispatch.ts). Reads the extension registry, publishes the archive's
 * completeness over every archived extension (OldestCompleteArchiveAgeSeconds, alarmed;
 * ExtensionsComplete/Behind/Failing; `Archive Behind` / `Archive Caught Up` on EventBridge when
 * that changes), and invokes the `archive` worker asynchronously with batches of the due
 * extensions, most-behind first. Nothing per extension is configured here.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createCompletenessAlarmStore } from '../lib/aws/completeness-alarm-store.ts';
import { createEventPublisher } from '../lib/aws/events.ts';
import { createExtensionRegistry } from '../lib/aws/extension-registry.ts';
import { createAsyncInvoker } from '../lib/aws/invoker.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import {
  COMPLETENESS_EVENT_SOURCE,
  CompletenessMetric,
  completenessMetrics,
} from '../lib/extensions/completeness.ts';
import {
  DISPATCH_DEFAULTS,
  type DispatchDependencies,
  type DispatchResult,
  type DispatchSettings,
  dispatchArchive,
} from '../lib/extensions/dispatch.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import { functionContext } from '../lib/runtime/function-context.ts';
import { createJobHandler } from '../lib/runtime/job-stack.ts';
import * as z from '../lib/validation/zod.ts';

/** The environment the dispatcher needs, validated at cold start. */
export const archiveDispatchConfig = z.object({
  STATE_TABLE_NAME: env.requiredString,
  EVENT_BUS_NAME: env.requiredString,
  ARCHIVE_FUNCTION_NAME: env.requiredString,
  /** Extensions per worker invocation; default 25. */
  ARCHIVE_BATCH_SIZE: z._default(env.positiveInt, DISPATCH_DEFAULTS.batchSize),
  /** Worker invocations per dispatch: the worker's reserved concurrency; default 4. */
  ARCHIVE_WORKERS: z._default(env.positiveInt, DISPATCH_DEFAULTS.workers),
  /** An extension synced within this many minutes waits (unless changed); default 360; `0`: never waits. */
  ARCHIVE_SWEEP_MINUTES: z._default(
    z.pipe(
      z.string().check(z.regex(/^\d+$/, 'must be a whole number of minutes')),
      z.transform(Number),
    ),
    DISPATCH_DEFAULTS.sweepMinutes,
  ),
  /** The archive worker's timeout: an extension handed out within it is in flight; default 240. */
  ARCHIVE_WORKER_TIMEOUT_SECONDS: z._default(
    env.positiveInt,
    DISPATCH_DEFAULTS.workerTimeoutSeconds,
  ),
  /** An extension whose archive is older than this many minutes is behind; default 120. */
  ARCHIVE_BEHIND_MINUTES: z._default(env.positiveInt, DISPATCH_DEFAULTS.behindMinutes),
});

/** Any scheduler event. */
export const archiveDispatchEvent = z.looseObject({});

/** What the handler works with; tests pass their own. */
export type ArchiveDispatchDependencies = DispatchDependencies & { settings: DispatchSettings };

/** Builds the dispatcher handler. */
export function createHandler(dependencies: ArchiveDispatchDependencies) {
  const context = functionContext('archive-dispatch');
  const { logger, metrics } = context;
  return createJobHandler({
    ...context,
    event: archiveDispatchEvent,
    handler: async (): Promise<Omit<DispatchResult, 'report'>> => {
      const { report, ...result } = await dispatchArchive(dependencies, dependencies.settings);
      for (const [name, value] of Object.entries(completenessMetrics(report))) {
        const seconds = name === CompletenessMetric.oldestCompleteArchiveAge;
        metrics.addMetric(name, seconds ? MetricUnit.Seconds : MetricUnit.Count, value);
      }
      const level = report.behind.length > 0 || report.failing.length > 0 ? 'warn' : 'info';
      logger[level]('Archive dispatched', {
        ...result,
        behind: report.behind.slice(0, 20).map((extension) => extension.id),
        failing: report.failing.slice(0, 20).map((extension) => extension.id),
      });
      return result;
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): ArchiveDispatchDependencies {
  const config = loadConfig(archiveDispatchConfig, environment);
  const table = createStateTable({ tableName: config.STATE_TABLE_NAME });
  return {
    registry: createExtensionRegistry(table),
    alarm: createCompletenessAlarmStore(table),
    events: createEventPublisher({
      busName: config.EVENT_BUS_NAME,
      source: COMPLETENESS_EVENT_SOURCE,
    }),
    worker: createAsyncInvoker({ functionName: config.ARCHIVE_FUNCTION_NAME }),
    settings: {
      batchSize: config.ARCHIVE_BATCH_SIZE,
      maxBatches: config.ARCHIVE_WORKERS,
      minIntervalMs: config.ARCHIVE_SWEEP_MINUTES * 60_000,
      inFlightMs: config.ARCHIVE_WORKER_TIMEOUT_SECONDS * 1000,
      behindThresholdSeconds: config.ARCHIVE_BEHIND_MINUTES * 60,
    },
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
