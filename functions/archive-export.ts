/**
 * archive-export (schedule every 30 minutes): the account-wide archive's bulk path
 * (lib/extensions/account-export.ts). One message-store export covers every extension of the
 * account since the range the cursor says is covered; its records and attachments go through
 * the backfill's export reader and the record archiver into the objects the per-extension sync
 * writes, and a complete run moves the cursor and every archived extension's `exportedThrough`.
 * A run cut short by its deadline resumes the same task at the next run.
 */

import { archiveSettings } from '../lib/archive/settings.ts';
import { createCustodyHeadStore } from '../lib/aws/custody-head-store.ts';
import { createExportCursorStore } from '../lib/aws/export-cursor-store.ts';
import { createExtensionRegistry } from '../lib/aws/extension-registry.ts';
import { createLocatorStore } from '../lib/aws/locator-store.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import type { BackfillRingCentral } from '../lib/backfill/run.ts';
import {
  type AccountExportDependencies,
  type AccountExportResult,
  runAccountExport,
} from '../lib/extensions/account-export.ts';
import type { RingCentralHooks } from '../lib/ringcentral/index.ts';
import { archiveBucket } from '../lib/runtime/archive-bucket.ts';
import { loadConfig } from '../lib/runtime/config.ts';
import { functionContext, ringCentralFromSecrets } from '../lib/runtime/function-context.ts';
import { createJobHandler } from '../lib/runtime/job-stack.ts';
import * as z from '../lib/validation/zod.ts';

/** The environment archive-export needs, validated at cold start. */
export const archiveExportConfig = z.object(archiveSettings);

/** Any scheduler event. */
export const archiveExportEvent = z.looseObject({});

export type { AccountExportResult };

/** What the handler works with; tests pass their own. */
export interface ArchiveExportDependencies extends Omit<AccountExportDependencies, 'ringCentral'> {
  ringCentral(hooks: RingCentralHooks): Promise<BackfillRingCentral>;
  startDate: string;
  now?: () => number;
  /** Longest pause between polls of the export task; default 10 s. */
  pollIntervalMs?: number;
}

/** Builds the archive-export handler. */
export function createHandler(dependencies: ArchiveExportDependencies) {
  const context = functionContext('archive-export');
  const { logger, metrics, hooks } = context;
  return createJobHandler({
    ...context,
    event: archiveExportEvent,
    handler: async (_event, job): Promise<AccountExportResult> => {
      const result = await runAccountExport(
        { ...dependencies, ringCentral: await dependencies.ringCentral(hooks) },
        {
          startDate: dependencies.startDate,
          now: dependencies.now ?? Date.now,
          deadline: job.deadline,
          signal: job.signal,
          ...(dependencies.pollIntervalMs ? { pollIntervalMs: dependencies.pollIntervalMs } : {}),
        },
      );
      metrics.addMetric('ExportMessagesArchived', 'Count', result.backfill?.messagesArchived ?? 0);
      metrics.addMetric('ExportRunsIncomplete', 'Count', result.complete ? 0 : 1);
      logger[result.complete ? 'info' : 'warn']('Account exported', {
        ...result.range,
        complete: result.complete,
        extensionsMarked: result.extensionsMarked,
        messagesTotal: result.backfill?.messagesTotal ?? 0,
        failures: result.backfill?.failures ?? 0,
      });
      return result;
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): ArchiveExportDependencies {
  const config = loadConfig(archiveExportConfig, environment);
  const table = createStateTable({ tableName: config.STATE_TABLE_NAME });
  const ringCentral = ringCentralFromSecrets(config);
  return {
    ringCentral,
    objects: archiveBucket(config, environment).objects,
    locators: createLocatorStore(table),
    registry: createExtensionRegistry(table),
    cursor: createExportCursorStore(table),
    custody: { heads: createCustodyHeadStore(table) },
    startDate: config.ARCHIVE_START_DATE,
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
