/**
 * purge (daily schedule): for each configured extension, delete from RingCentral the messages
 * older than their type's retention and not newer than the archive cursor, but only those whose
 * message.json and every attachment are verified in S3 (invariant 1), 50 ids per request. Writes
 * one report per run to `reports/purge/{yyyy}/{mm}/{dd}/{runId}.json`.
 *
 * PURGE_DRY_RUN defaults to true: a new deployment only reports what it would delete until an
 * operator has read a report and sets PURGE_DRY_RUN=false. A type without a retention in
 * PURGE_RETENTION_DAYS is never purged, so the default (`{}`) purges nothing either.
 */
import { DEFAULT_MEDIUM_RESERVE, mediumSafety } from '../lib/archive/budget.ts';
import { PURGE_DEFAULTS } from '../lib/archive/defaults.ts';
import type { CursorStore, ObjectStore } from '../lib/archive/ports.ts';
import { publishRunSummary } from '../lib/archive/run-summary.ts';
import { archiveSettings } from '../lib/archive/settings.ts';
import { createCursorStore } from '../lib/aws/cursor-store.ts';
import { createRingCentralFromSecrets } from '../lib/aws/ringcentral.ts';
import { createS3Client } from '../lib/aws/s3-client.ts';
import { createS3ObjectStore } from '../lib/aws/s3-object-store.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import { parseRetentionDays, type RetentionDays } from '../lib/purge/candidates.ts';
import { type PurgeOutcome, runPurge } from '../lib/purge/run.ts';
import { summarizePurgeRun } from '../lib/purge/run-summary.ts';
import type { MessagesApi, RingCentralHooks } from '../lib/ringcentral/index.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import { functionContext, ringCentralSecrets } from '../lib/runtime/function-context.ts';
import { createJobHandler } from '../lib/runtime/job-stack.ts';
import * as z from '../lib/validation/zod.ts';

const SERVICE = 'purge';

const retentionDays = z.pipe(
  env.json,
  z.transform((value: unknown, context): RetentionDays => {
    try {
      return parseRetentionDays(value);
    } catch (error) {
      context.issues.push({ code: 'custom', message: (error as Error).message, input: value });
      return z.NEVER;
    }
  }),
);

/** The environment purge needs, validated at cold start. */
export const purgeConfig = z.object({
  ...archiveSettings,
  /** Days per message type, e.g. {"Fax":90,"VoiceMail":90,"SMS":365,"Pager":30}; default {}. */
  PURGE_RETENTION_DAYS: z._default(retentionDays, {}),
  /** Report only; default true until an operator turns deleting on. */
  PURGE_DRY_RUN: z._default(env.boolean, PURGE_DEFAULTS.dryRun),
  /** `purge=true`: skip RingCentral's Deleted state (no 5-day recycle bin); default false. */
  PURGE_HARD: z._default(env.boolean, PURGE_DEFAULTS.hardPurge),
  /** Candidates per extension and run; default 10,000. */
  PURGE_MAX_MESSAGES: z._default(env.positiveInt, PURGE_DEFAULTS.maxCandidatesPerExtension),
});

/** A scheduler event (anything); `{ "dryRun": true }` forces a dry run for one invocation. */
export const purgeEvent = z.looseObject({ dryRun: z.optional(z.literal(true)) });

/** What the handler works with; tests pass their own. */
export interface PurgeFunctionDependencies {
  /** The message operations, from a client built with the runtime's hooks and Medium safety. */
  messages(options: {
    hooks: RingCentralHooks;
    safety: { Medium: number };
  }): Promise<Pick<MessagesApi, 'list' | 'delete'>>;
  objects: ObjectStore;
  cursors: Pick<CursorStore, 'get'>;
  extensions: readonly string[];
  retentionDays: RetentionDays;
  dryRun: boolean;
  hardPurge: boolean;
  /** Oldest creation time to list (ISO). */
  dateFrom?: string;
  maxMessages?: number;
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
  const { logger, metrics, hooks } = functionContext(SERVICE);
  return createJobHandler({
    service: SERVICE,
    logger,
    metrics,
    event: purgeEvent,
    handler: async (event, job): Promise<PurgeFunctionResult> => {
      const messages = await dependencies.messages({
        hooks,
        safety: { Medium: mediumSafety(dependencies.mediumReserve ?? DEFAULT_MEDIUM_RESERVE) },
      });
      const dryRun = dependencies.dryRun || event.dryRun === true;
      const { report, reportKey } = await runPurge(
        { messages, objects: dependencies.objects, cursors: dependencies.cursors },
        {
          extensions: dependencies.extensions,
          retentionDays: dependencies.retentionDays,
          dryRun,
          hardPurge: dependencies.hardPurge,
          ...(dependencies.dateFrom ? { dateFrom: dependencies.dateFrom } : {}),
          ...(dependencies.maxMessages
            ? { maxCandidatesPerExtension: dependencies.maxMessages }
            : {}),
        },
        { deadline: job.deadline, signal: job.signal },
      );
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
  const secrets = ringCentralSecrets(config);
  return {
    messages: async ({ hooks, safety }) =>
      (
        await createRingCentralFromSecrets({
          ...secrets,
          hooks,
          limits: { safety },
        })
      ).messages,
    objects: createS3ObjectStore({
      bucket: config.ARCHIVE_BUCKET_NAME,
      client: createS3Client({ environment }),
    }),
    cursors: createCursorStore(createStateTable({ tableName: config.STATE_TABLE_NAME })),
    extensions: config.ARCHIVE_EXTENSIONS,
    retentionDays: config.PURGE_RETENTION_DAYS,
    dryRun: config.PURGE_DRY_RUN,
    hardPurge: config.PURGE_HARD,
    dateFrom: config.ARCHIVE_START_DATE,
    maxMessages: config.PURGE_MAX_MESSAGES,
    mediumReserve: config.ARCHIVE_MEDIUM_RESERVE ?? DEFAULT_MEDIUM_RESERVE,
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
