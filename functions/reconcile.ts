/**
 * reconcile (hourly 03:15-23:15 UTC, and on demand): RingCentral's message ids of each archived,
 * non-gone extension and day against the archive's (lib/extensions/reconciliation.ts), written to
 * `reports/reconciliation/{yyyy}/{mm}/{dd}.json`. Scheduled runs reconcile yesterday: the first
 * one at 03:15 leaves the archive three hours past midnight; it stops at its deadline and each
 * later run resumes after the last extension the day's report holds, until the report is
 * complete (then a run costs one S3 read). On demand: `{ "date": "2026-03-01" }` or
 * `{ "from": "2026-03-01", "to": "2026-03-07" }`, continued with the returned `resumeAfter`.
 *
 * Missing messages are counted in `ReconciliationMissingMessages` (alarmed) and each extension
 * with differences is logged by id, number and name; extensions close to an eviction cap in
 * `ExtensionsNearEviction` with a warning each (lib/extensions/eviction.ts).
 */
import type { ObjectStore } from '../lib/archive/ports.ts';
import { createExtensionRegistry } from '../lib/aws/extension-registry.ts';
import { createS3Client } from '../lib/aws/s3-client.ts';
import { createS3ObjectStore } from '../lib/aws/s3-object-store.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import type { ExtensionRegistry } from '../lib/extensions/ports.ts';
import { daysBetween, reconcile } from '../lib/extensions/reconciliation.ts';
import { scheduledWork, writeRunReports } from '../lib/extensions/reconciliation-report.ts';
import {
  publishReconciliation,
  type ReconcileResult,
} from '../lib/extensions/reconciliation-summary.ts';
import type { MessagesApi, RingCentralHooks } from '../lib/ringcentral/index.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import {
  functionContext,
  ringCentralFromSecrets,
  ringCentralSecretsEnv,
} from '../lib/runtime/function-context.ts';
import { createJobHandler } from '../lib/runtime/job-stack.ts';
import * as z from '../lib/validation/zod.ts';

const SERVICE = 'reconcile';
const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be yyyy-mm-dd'));

/** The environment reconcile needs, validated at cold start. */
export const reconcileConfig = z.object({
  ...ringCentralSecretsEnv,
  STATE_TABLE_NAME: env.requiredString,
  ARCHIVE_BUCKET_NAME: env.requiredString,
});

/** A scheduler event (yesterday), one `date`, or a `from`-`to` range with an optional resume. */
export const reconcileEvent = z.looseObject({
  date: z.optional(day),
  from: z.optional(day),
  to: z.optional(day),
  /** Continue after this extension id on the first day (from a previous `resumeAfter`). */
  resumeAfter: z.optional(z.string()),
});

export type { ReconcileResult };

/** What the handler works with; tests pass their own. */
export interface ReconcileDependencies {
  messages(hooks: RingCentralHooks): Promise<Pick<MessagesApi, 'list'>>;
  objects: Pick<ObjectStore, 'list' | 'put' | 'getText'>;
  registry: Pick<ExtensionRegistry, 'list'>;
  now?: () => number;
}

/** Builds the reconcile handler. */
export function createHandler(dependencies: ReconcileDependencies) {
  const { logger, metrics, hooks } = functionContext(SERVICE);
  const now = dependencies.now ?? Date.now;
  return createJobHandler({
    service: SERVICE,
    logger,
    metrics,
    event: reconcileEvent,
    handler: async (event, job): Promise<ReconcileResult> => {
      const asked = event.date ?? event.from;
      const work = asked
        ? {
            days: daysBetween(asked, event.date ?? event.to ?? asked),
            ...(event.resumeAfter ? { resumeAfter: event.resumeAfter } : {}),
          }
        : await scheduledWork(dependencies.objects, now());
      if (!work) return { reportKeys: [], missing: 0, extensionsWithDifferences: [] };
      const run = await reconcile(
        { ...dependencies, messages: await dependencies.messages(hooks) },
        { ...work, signal: job.signal, deadline: job.deadline, now },
      );
      const reportKeys = await writeRunReports(dependencies.objects, run, work.resumeAfter, now());
      return publishReconciliation(run, reportKeys, { logger, metrics }, now());
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): ReconcileDependencies {
  const config = loadConfig(reconcileConfig, environment);
  const ringCentral = ringCentralFromSecrets(config);
  return {
    messages: async (hooks) => (await ringCentral(hooks)).messages,
    objects: createS3ObjectStore({
      bucket: config.ARCHIVE_BUCKET_NAME,
      client: createS3Client({ environment }),
    }),
    registry: createExtensionRegistry(createStateTable({ tableName: config.STATE_TABLE_NAME })),
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
