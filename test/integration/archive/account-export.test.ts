/**
 * archive-export over real loopback HTTP: the local RingCentral's message-store export, s3rver
 * and dynalite. One run archives every archived extension of the account byte-identical to the
 * emulator's mailbox (and nothing of an extension the policy leaves out), moves its cursor and
 * every archived extension's `exportedThrough`; the per-extension sync that follows finds the
 * content stored (Light requests only); the next run covers only what came since.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustodyHeadStore } from '../../../lib/aws/custody-head-store.ts';
import { createExportCursorStore } from '../../../lib/aws/export-cursor-store.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import type { BackfillRingCentral } from '../../../lib/backfill/run.ts';
import { EXPORT_DEFAULTS } from '../../../lib/extensions/account-export.ts';
import { lambdaContext, scheduledEvent } from '../../support/events.ts';
import { importWithEnvironment } from '../functions/events-harness.ts';
import {
  type ArchiveHarness,
  compareArchive,
  START_DATE,
  startArchiveHarness,
  UNLIMITED_RATE_LIMITS,
} from './archive-harness.ts';
import { EMULATOR_USER_EXTENSIONS } from './emulator-extensions.ts';

type ArchiveExportModule = typeof import('../../../functions/archive-export.ts');

/** The module needs an environment at import (its deployed entry point); these are never used. */
const IMPORT_ENVIRONMENT = {
  STATE_TABLE_NAME: 'unused',
  CREDENTIALS_SECRET_ID: 'unused',
  SESSION_SECRET_ID: 'unused',
  ARCHIVE_BUCKET_NAME: 'unused',
  AWS_REGION: 'us-east-1',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};

describe('archive-export', () => {
  let harness: ArchiveHarness;
  let module: ArchiveExportModule;
  const archived = EMULATOR_USER_EXTENSIONS.slice(0, 3);
  const excluded = EMULATOR_USER_EXTENSIONS[3] ?? '101004';
  /** The handler's clock: two minutes ahead, so the range's settle time covers what was seeded. */
  let clock = Date.now() + 2 * 60_000;

  beforeAll(async () => {
    harness = await startArchiveHarness({
      rateLimits: UNLIMITED_RATE_LIMITS,
      mailbox: {
        seed: 21,
        extensions: 4,
        mix: 'users',
        messagesPerExtension: 5,
        maxAttachmentBytes: 3_000,
      },
    });
    await harness.register(archived);
    const now = new Date().toISOString();
    await harness.registry.putDiscovered({
      id: excluded,
      type: 'User',
      status: 'Enabled',
      firstSeen: now,
      lastSeen: now,
      archived: false,
      skipReason: 'excluded by id',
    });
    module = await importWithEnvironment(
      () => import('../../../functions/archive-export.ts'),
      IMPORT_ENVIRONMENT,
    );
  });

  afterAll(async () => {
    await harness?.stop();
  });

  function invoke(client: () => BackfillRingCentral = () => harness.createClient()) {
    const table = createStateTable({ tableName: harness.tableName, client: harness.dynamo.client });
    const handler = module.createHandler({
      ringCentral: async () => client(),
      objects: harness.objects,
      locators: harness.locators,
      registry: harness.registry,
      cursor: createExportCursorStore(table),
      custody: { heads: createCustodyHeadStore(table) },
      startDate: START_DATE,
      now: () => clock,
      pollIntervalMs: 50,
    });
    return handler(scheduledEvent(), lambdaContext({ remainingMs: 60_000 }));
  }

  it('archives the account byte-identical, leaves the excluded extension out and moves the cursor and the registry', async () => {
    // Prepare
    harness.emulator.resetStats();

    // Act
    const result = await invoke();
    const differences = await compareArchive(harness, archived);
    const left = await compareArchive(harness, [excluded]);
    const entries = await Promise.all(archived.map((id) => harness.registry.get(id)));
    const cursor = await createExportCursorStore(
      createStateTable({ tableName: harness.tableName, client: harness.dynamo.client }),
    ).load();
    const requests = harness.emulator.stats().requestsByGroup;

    // Assess
    expect(result.complete).toBe(true);
    expect(differences.checkedMessages).toBeGreaterThan(0);
    expect(differences.checkedAttachments).toBeGreaterThan(0);
    expect(differences.missingMessages).toEqual([]);
    expect(differences.badAttachments).toEqual([]);
    expect(differences.incompleteManifests).toEqual([]);
    expect(left.missingMessages).toHaveLength(left.checkedMessages);
    expect(result.range).toEqual({
      dateFrom: START_DATE,
      dateTo: new Date(clock - EXPORT_DEFAULTS.settleMinutes * 60_000).toISOString(),
    });
    expect(cursor).toEqual({ coveredThrough: result.range.dateTo });
    for (const entry of entries) expect(entry?.exportedThrough).toBe(result.range.dateTo);
    expect((await harness.registry.get(excluded))?.exportedThrough).toBeUndefined();
    // The bulk path: the export's Heavy requests, no per-message download.
    expect(requests.Heavy).toBeGreaterThanOrEqual(3);
    expect(requests.Medium).toBe(0);
  });

  it('leaves the per-extension sync Light requests only: the content is already stored', async () => {
    // Prepare
    harness.emulator.resetStats();
    const archiver = harness.createArchiver();

    // Act
    const runs = [];
    for (const id of archived) {
      runs.push(await archiver.archiveExtension(id, { deadline: Date.now() + 60_000 }));
    }
    const requests = harness.emulator.stats().requestsByGroup;

    // Assess
    for (const run of runs) {
      expect(run.complete).toBe(true);
      expect(run.records).toBeGreaterThan(0);
      expect(run.archivedMessages).toBe(0);
      expect(run.storedAttachments).toBe(0);
    }
    expect(requests.Light).toBeGreaterThanOrEqual(archived.length);
    expect(requests.Medium).toBe(0);
  });

  it('covers only what came since at the next run, from the cursor less the overlap', async () => {
    // Prepare: a new message on the first extension, created after the first range.
    const extension = archived[0] ?? '101001';
    const previous = new Date(clock - EXPORT_DEFAULTS.settleMinutes * 60_000);
    const added = harness.emulator.mailbox.add(extension, {
      type: 'Fax',
      direction: 'Inbound',
      to: [{ phoneNumber: '+16505550100' }],
      from: { phoneNumber: '+16505550199' },
      creationTime: new Date(previous.getTime() + 30_000).toISOString(),
      attachments: [{ type: 'RenderedDocument', contentType: 'application/pdf', size: 1_500 }],
    });
    clock += 30 * 60_000;

    // Act
    const result = await invoke();
    const differences = await compareArchive(harness, [extension]);

    // Assess
    expect(result.complete).toBe(true);
    expect(result.range.dateFrom).toBe(
      new Date(previous.getTime() - EXPORT_DEFAULTS.overlapMinutes * 60_000).toISOString(),
    );
    expect(result.backfill?.messagesTotal).toBe(1);
    expect(result.backfill?.messagesArchived).toBe(1);
    expect(differences.missingMessages).toEqual([]);
    expect(differences.badAttachments).toEqual([]);
    expect(added.id).toBeDefined();
    expect((await harness.registry.get(extension))?.exportedThrough).toBe(result.range.dateTo);
  });

  it('fails a run whose completed export has no archives, and the next run asks for a new task', async () => {
    // Prepare: a new message, and RingCentral listing the first task's archives as none.
    const extension = archived[1] ?? '101002';
    const added = harness.emulator.mailbox.add(extension, {
      type: 'SMS',
      direction: 'Inbound',
      to: [{ phoneNumber: '+16505550100' }],
      from: { phoneNumber: '+16505550199' },
      creationTime: new Date(clock - EXPORT_DEFAULTS.settleMinutes * 60_000).toISOString(),
      subject: 'after an empty export',
    });
    clock += 30 * 60_000;
    const tasks: string[] = [];
    let emptyListings = 1;
    const client = (): BackfillRingCentral => {
      const ringCentral = harness.createClient();
      return {
        ...ringCentral,
        exports: {
          ...ringCentral.exports,
          create: async (request, options) => {
            const task = await ringCentral.exports.create(request, options);
            tasks.push(task.id);
            return task;
          },
          listArchives: async (taskId, options) => {
            if (emptyListings-- > 0) return [];
            return ringCentral.exports.listArchives(taskId, options);
          },
        },
      };
    };

    // Act
    const failed = await invoke(client).then(
      () => undefined,
      (error: unknown) => error,
    );
    const next = await invoke(client);
    const differences = await compareArchive(harness, [extension]);

    // Assess
    expect(failed).toMatchObject({
      name: 'ExportUnavailableError',
      message: 'the export task has no archives',
      cause: { name: 'ExportFailedError' },
    });
    expect(tasks).toHaveLength(2);
    expect(new Set(tasks).size).toBe(2);
    expect(next.complete).toBe(true);
    expect(next.backfill?.messagesArchived).toBeGreaterThanOrEqual(1);
    expect(differences.missingMessages).toEqual([]);
    expect(added.id).toBeDefined();
  });
});
