/**
 * archive (the worker): `{ extensionIds }` from archive-dispatch archives those extensions in
 * order until the deadline (lib/archive/extension-batch.ts): per extension, ISync from the stored
 * cursor (FSync from ARCHIVE_START_DATE on the first run and after MSG-333), store every new or
 * changed message's attachments and then its message.json in S3, advance the cursor only when all
 * of them are archived, and record the extension's progress in the registry. `{ extensionId,
 * messageIds }` (the webhook's hand-off) archives those messages and leaves the cursor alone.
 */
import { type ArchiveRingCentral, createArchiver } from '../lib/archive/archiver.ts';
import { DEFAULT_MEDIUM_RESERVE } from '../lib/archive/budget.ts';
import type { CustodyOptions } from '../lib/archive/custody-ledger.ts';
import { ARCHIVE_DEFAULTS } from '../lib/archive/defaults.ts';
import type { CursorStore, LocatorStore, ObjectStore } from '../lib/archive/ports.ts';
import { archiveSettings } from '../lib/archive/settings.ts';
import {
  type ArchiveOutcome,
  archiveWorkerEvent,
  runArchiveWorker,
} from '../lib/archive/worker.ts';
import { createCursorStore } from '../lib/aws/cursor-store.ts';
import { createCustodyHeadStore } from '../lib/aws/custody-head-store.ts';
import { createExtensionRegistry } from '../lib/aws/extension-registry.ts';
import { createLocatorStore } from '../lib/aws/locator-store.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import type { ExtensionRegistry } from '../lib/extensions/ports.ts';
import type { RingCentralHooks } from '../lib/ringcentral/index.ts';
import { archiveBucket } from '../lib/runtime/archive-bucket.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import {
  functionContext,
  reservedClientOptions,
  reservedRingCentralFromSecrets,
} from '../lib/runtime/function-context.ts';
import { createJobHandler } from '../lib/runtime/job-stack.ts';
import * as z from '../lib/validation/zod.ts';

const SERVICE = 'archive';

/** The environment archive needs, validated at cold start. */
export const archiveConfig = z.object({
  ...archiveSettings,
  /** Messages archived at once; default 4. */
  ARCHIVE_CONCURRENCY: z._default(env.positiveInt, ARCHIVE_DEFAULTS.concurrency),
});

/** The dispatcher's batch, or the webhook's hand-off of new message ids. */
export const archiveEvent = archiveWorkerEvent;

export type { ArchiveOutcome };

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
  registry: Pick<ExtensionRegistry, 'recordProgress'>;
  startDate: string;
  mediumReserve?: number;
  concurrency?: number;
  /** The chain of custody each run appends to. */
  custody?: CustodyOptions;
}

/** Builds the archive handler. */
export function createHandler(dependencies: ArchiveDependencies) {
  const context = functionContext(SERVICE);
  const { logger, metrics, hooks } = context;
  return createJobHandler({
    ...context,
    event: archiveEvent,
    handler: async (event, job): Promise<ArchiveOutcome> => {
      const ringCentral = await dependencies.ringCentral(
        reservedClientOptions(hooks, dependencies.mediumReserve),
      );
      const archiver = createArchiver({
        ringCentral,
        objects: dependencies.objects,
        cursors: dependencies.cursors,
        locators: dependencies.locators,
        startDate: dependencies.startDate,
        ...(dependencies.concurrency ? { concurrency: dependencies.concurrency } : {}),
        ...(dependencies.custody ? { custody: dependencies.custody } : {}),
      });
      return runArchiveWorker(
        { archiver, registry: dependencies.registry, sink: { metrics, logger } },
        event,
        { deadline: job.deadline, signal: job.signal },
      );
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): ArchiveDependencies {
  const config = loadConfig(archiveConfig, environment);
  const stateTable = createStateTable({ tableName: config.STATE_TABLE_NAME });
  return {
    ringCentral: reservedRingCentralFromSecrets(config),
    objects: archiveBucket(config, environment).objects,
    cursors: createCursorStore(stateTable),
    locators: createLocatorStore(stateTable),
    registry: createExtensionRegistry(stateTable),
    startDate: config.ARCHIVE_START_DATE,
    mediumReserve: config.ARCHIVE_MEDIUM_RESERVE ?? DEFAULT_MEDIUM_RESERVE,
    concurrency: config.ARCHIVE_CONCURRENCY,
    custody: { heads: createCustodyHeadStore(stateTable) },
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
