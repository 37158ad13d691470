/**
 * archive (schedule every 15 minutes, and the webhook's hand-off): for each configured extension,
 * ISync from the stored cursor (FSync from ARCHIVE_START_DATE on the first run and after
 * MSG-333), store every new or changed message's attachments and then its message.json in S3,
 * and advance the cursor only when all of them are archived. Stops at a checkpoint before the
 * deadline; the next run resumes. `{ extensionId, messageIds }` archives those messages and leaves
 * the cursor alone.
 *
 * Extensions come from ARCHIVE_EXTENSIONS (ids, default `~`): the API surface this project uses
 * has no extension-listing endpoint.
 */
import {
  type ArchiveRingCentral,
  type ArchiveRunResult,
  createArchiver,
} from '../lib/archive/archiver.ts';
import { DEFAULT_MEDIUM_RESERVE, mediumSafety } from '../lib/archive/budget.ts';
import type { CustodyOptions } from '../lib/archive/custody-ledger.ts';
import { ARCHIVE_DEFAULTS } from '../lib/archive/defaults.ts';
import type { CursorStore, LocatorStore, ObjectStore } from '../lib/archive/ports.ts';
import { publishRunSummary, summarizeArchiveRun } from '../lib/archive/run-summary.ts';
import { archiveSettings, extensionRef } from '../lib/archive/settings.ts';
import { createCursorStore } from '../lib/aws/cursor-store.ts';
import { createCustodyHeadStore } from '../lib/aws/custody-head-store.ts';
import { createLocatorStore } from '../lib/aws/locator-store.ts';
import { createRingCentralFromSecrets } from '../lib/aws/ringcentral.ts';
import { createS3Client } from '../lib/aws/s3-client.ts';
import { createS3ObjectStore } from '../lib/aws/s3-object-store.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import type { RingCentralHooks } from '../lib/ringcentral/index.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import { functionContext, ringCentralSecrets } from '../lib/runtime/function-context.ts';
import { createJobHandler } from '../lib/runtime/job-stack.ts';
import * as z from '../lib/validation/zod.ts';

const SERVICE = 'archive';

/** The environment archive needs, validated at cold start. */
export const archiveConfig = z.object({
  ...archiveSettings,
  /** Messages archived at once; default 4. */
  ARCHIVE_CONCURRENCY: z._default(env.positiveInt, ARCHIVE_DEFAULTS.concurrency),
});

/** A scheduler event (anything), or the webhook's hand-off of new message ids. */
export const archiveEvent = z.looseObject({
  extensionId: z.optional(extensionRef),
  messageIds: z.optional(z.array(z.string().check(z.regex(/^\d{1,20}$/))).check(z.maxLength(1000))),
});

/** What a run reports (also the function's return value). */
export interface ArchiveOutcome {
  runs: ArchiveRunResult[];
}

/** What the handler works with; tests pass their own. */
export interface ArchiveDependencies {
  /** The client, given the runtime's hooks and the archive's Medium safety. */
  ringCentral(options: {
    hooks: RingCentralHooks;
    safety: { Medium: number };
  }): Promise<ArchiveRingCentral>;
  objects: ObjectStore;
  cursors: CursorStore;
  locators: LocatorStore;
  extensions: readonly string[];
  startDate: string;
  mediumReserve?: number;
  concurrency?: number;
  /** The chain of custody each run appends to. */
  custody?: CustodyOptions;
}

/** Builds the archive handler. */
export function createHandler(dependencies: ArchiveDependencies) {
  const { logger, metrics, hooks } = functionContext(SERVICE);
  return createJobHandler({
    service: SERVICE,
    logger,
    metrics,
    event: archiveEvent,
    handler: async (event, job): Promise<ArchiveOutcome> => {
      const ringCentral = await dependencies.ringCentral({
        hooks,
        safety: { Medium: mediumSafety(dependencies.mediumReserve ?? DEFAULT_MEDIUM_RESERVE) },
      });
      const archiver = createArchiver({
        ringCentral,
        objects: dependencies.objects,
        cursors: dependencies.cursors,
        locators: dependencies.locators,
        startDate: dependencies.startDate,
        ...(dependencies.concurrency ? { concurrency: dependencies.concurrency } : {}),
        ...(dependencies.custody ? { custody: dependencies.custody } : {}),
      });
      const call = { deadline: job.deadline, signal: job.signal };
      const runs: ArchiveRunResult[] = [];
      if (event.messageIds && event.messageIds.length > 0) {
        runs.push(await archiver.archiveMessages(event.extensionId ?? '~', event.messageIds, call));
      } else {
        for (const extension of dependencies.extensions) {
          if (Date.now() >= job.deadline) break;
          runs.push(await archiver.archiveExtension(extension, call));
        }
      }
      for (const run of runs) publishRunSummary(summarizeArchiveRun(run), { metrics, logger });
      return { runs };
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): ArchiveDependencies {
  const config = loadConfig(archiveConfig, environment);
  const secrets = ringCentralSecrets(config);
  const stateTable = createStateTable({ tableName: config.STATE_TABLE_NAME });
  return {
    ringCentral: ({ hooks, safety }) =>
      createRingCentralFromSecrets({
        ...secrets,
        hooks,
        limits: { safety },
      }),
    objects: createS3ObjectStore({
      bucket: config.ARCHIVE_BUCKET_NAME,
      client: createS3Client({ environment }),
    }),
    cursors: createCursorStore(stateTable),
    locators: createLocatorStore(stateTable),
    extensions: config.ARCHIVE_EXTENSIONS,
    startDate: config.ARCHIVE_START_DATE,
    mediumReserve: config.ARCHIVE_MEDIUM_RESERVE ?? DEFAULT_MEDIUM_RESERVE,
    concurrency: config.ARCHIVE_CONCURRENCY,
    custody: { heads: createCustodyHeadStore(stateTable) },
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
