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
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_MEDIUM_RESERVE, mediumSafety } from '../lib/archive/budget.ts';
import type { CursorStore, ObjectStore } from '../lib/archive/ports.ts';
import { archiveSettings } from '../lib/archive/settings.ts';
import { createCursorStore } from '../lib/aws/cursor-store.ts';
import { createRingCentralFromSecrets } from '../lib/aws/ringcentral.ts';
import { createS3ObjectStore } from '../lib/aws/s3-object-store.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import { parseRetentionDays, type RetentionDays } from '../lib/purge/candidates.ts';
import { type PurgeOutcome, runPurge } from '../lib/purge/run.ts';
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
  PURGE_DRY_RUN: z._default(env.boolean, true),
  /** `purge=true`: skip RingCentral's Deleted state (no 5-day recycle bin); default false. */
  PURGE_HARD: z._default(env.boolean, false),
  /** Candidates per extension and run; default 10,000. */
  PURGE_MAX_MESSAGES: z._default(env.positiveInt, 10_000),
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
      metrics.addMetric('PurgeCandidates', MetricUnit.Count, report.counts.candidates);
      metrics.addMetric('PurgeVerified', MetricUnit.Count, report.counts.verified);
      metrics.addMetric('PurgeDeleted', MetricUnit.Count, report.counts.deleted);
      metrics.addMetric('PurgeSkipped', MetricUnit.Count, report.counts.skipped);
      metrics.addMetric('PurgeFailed', MetricUnit.Count, report.counts.failed);
      // Ids, reasons and counts only; the report in S3 has the details.
      const summary = {
        reportKey,
        dryRun,
        hardPurge: report.hardPurge,
        complete: report.complete,
        counts: report.counts,
        extensions: report.extensions.map((extension) => ({
          extension: extension.extension,
          candidates: extension.candidates,
          deleteRequests: extension.deleteRequests,
          stopped: extension.stopped,
          error: extension.error,
        })),
      };
      if (report.failed.length > 0 || report.extensions.some((e) => e.stopped === 'error')) {
        logger.error('Purge run had failures', summary);
      } else if (report.skipped.length > 0) {
        logger.warn('Purge run skipped messages it could not prove archived', summary);
      } else {
        logger.info('Purge run finished', summary);
      }
      return { reportKey, dryRun, complete: report.complete, counts: report.counts };
    },
  });
}

/**
 * The S3 client: against a local endpoint (AWS_ENDPOINT_URL_S3, e.g. s3rver) path-style
 * addressing and checksums only where required, which local stores support.
 */
function s3Client(environment: NodeJS.ProcessEnv): S3Client {
  return environment.AWS_ENDPOINT_URL_S3
    ? new S3Client({
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      })
    : new S3Client({});
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
      client: s3Client(environment),
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
