/**
 * purge (daily schedule): for each archived extension of the registry, the longest-waiting first
 * (lib/purge/registry-order.ts), delete from RingCentral the messages older than their type's retention and not newer than the archive cursor, but only those whose
 * message.json and every attachment are verified in S3 (invariant 1), 50 ids per request. Writes
 * one report per run to `reports/purge/{yyyy}/{mm}/{dd}/{runId}.json`.
 *
 * PURGE_DRY_RUN defaults to true: a new deployment only reports what it would delete until an
 * operator has read a report and sets PURGE_DRY_RUN=false. A type without a retention in
 * PURGE_RETENTION_DAYS is never purged, so the default (`{}`) purges nothing either.
 */
import { DEFAULT_MEDIUM_RESERVE } from '../lib/archive/budget.ts';
import type { CursorStore, ObjectStore } from '../lib/archive/ports.ts';
import { publishRunSummary } from '../lib/archive/run-summary.ts';
import { createCursorStore } from '../lib/aws/cursor-store.ts';
import { createExtensionRegistry } from '../lib/aws/extension-registry.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import type { ExtensionRegistry } from '../lib/extensions/ports.ts';
import { extensionsToPurge, recordPurged } from '../lib/purge/registry-order.ts';
import { type PurgeOutcome, type PurgeSettings, runPurge } from '../lib/purge/run.ts';
import { summarizePurgeRun } from '../lib/purge/run-summary.ts';
import { purgeRunSettings, purgeSettings } from '../lib/purge/settings.ts';
import type { MessagesApi } from '../lib/ringcentral/index.ts';
import { archiveBucket } from '../lib/runtime/archive-bucket.ts';
import { loadConfig } from '../lib/runtime/config.ts';
import {
  functionContext,
  type ReservedClientOptions,
  reservedClientOptions,
  reservedRingCentralFromSecrets,
} from '../lib/runtime/function-context.ts';
import { createJobHandler } from '../lib/runtime/job-stack.ts';
import * as z from '../lib/validation/zod.ts';

const SERVICE = 'purge';

/** The environment purge needs, validated at cold start (lib/purge/settings.ts). */
export const purgeConfig = purgeSettings;

/** A scheduler event (anything); `{ "dryRun": true }` forces a dry run for one invocation. */
export const purgeEvent = z.looseObject({ dryRun: z.optional(z.literal(true)) });

/** What the handler works with; tests pass their own. */
export interface PurgeFunctionDependencies {
  /** The message operations, from a client built with the runtime's hooks and Medium safety. */
  messages(options: ReservedClientOptions): Promise<Pick<MessagesApi, 'list' | 'delete'>>;
  objects: ObjectStore;
  cursors: Pick<CursorStore, 'get'>;
  registry: Pick<ExtensionRegistry, 'list' | 'recordProgress'>;
  /** What every run does; the extensions come from the registry, a dry run may be forced. */
  settings: Omit<PurgeSettings, 'extensions'>;
  mediumReserve?: number;
}

/** What the invocation returns: the report's key and counts (the report itself is in S3). */
export interface PurgeFunctionResult {
  reportKey: string;
  dryRun: boolean;
  complete: boolean;
  counts: PurgeOutcome['report']['counts'];
}

/** Builds the purge handler. */
export function createHandler(dependencies: PurgeFunctionDependencies) {
  const context = functionContext(SERVICE);
  const { logger, metrics, hooks } = context;
  return createJobHandler({
    ...context,
    event: purgeEvent,
    handler: async (event, job): Promise<PurgeFunctionResult> => {
      const messages = await dependencies.messages(
        reservedClientOptions(hooks, dependencies.mediumReserve),
      );
      const dryRun = dependencies.settings.dryRun || event.dryRun === true;
      const { report, reportKey } = await runPurge(
        { messages, objects: dependencies.objects, cursors: dependencies.cursors },
        {
          ...dependencies.settings,
          dryRun,
          extensions: await extensionsToPurge(dependencies.registry),
        },
        { deadline: job.deadline, signal: job.signal },
      );
      await recordPurged(dependencies.registry, report, new Date().toISOString());
      publishRunSummary(summarizePurgeRun(report, { reportKey, dryRun }), { metrics, logger });
      return { reportKey, dryRun, complete: report.complete, counts: report.counts };
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): PurgeFunctionDependencies {
  const config = loadConfig(purgeConfig, environment);
  const ringCentral = reservedRingCentralFromSecrets(config);
  const table = createStateTable({ tableName: config.STATE_TABLE_NAME });
  const bucket = archiveBucket(config, environment, { retainWrites: false });
  return {
    messages: async (options) => (await ringCentral(options)).messages,
    objects: bucket.objects,
    cursors: createCursorStore(table),
    registry: createExtensionRegistry(table),
    settings: purgeRunSettings(config, bucket.retention),
    mediumReserve: config.ARCHIVE_MEDIUM_RESERVE ?? DEFAULT_MEDIUM_RESERVE,
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
