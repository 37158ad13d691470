/**
 * The account-wide archive: the dispatcher (lib/extensions/dispatch.ts) over the extension
 * registry on dynalite, handing batches to the archive worker (lib/archive/extension-batch.ts)
 * that archives from the local RingCentral into s3rver. Starvation (a dispatch that cannot take
 * every extension, then the next ones), gone extensions never dispatched, the behind event and
 * its all-clear, and a token RingCentral refuses other extensions to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  archiveExtensionBatch,
  type ExtensionBatchResult,
  PERMISSION_ERRORS_METRIC,
  summarizeBatch,
} from '../../../lib/archive/extension-batch.ts';
import { createCompletenessAlarmStore } from '../../../lib/aws/completeness-alarm-store.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import { CompletenessEvent } from '../../../lib/extensions/completeness.ts';
import { type DispatchSettings, dispatchArchive } from '../../../lib/extensions/dispatch.ts';
import { resolveCredentials } from '../../../local/ringcentral/index.ts';
import {
  type ArchiveHarness,
  compareArchive,
  startArchiveHarness,
  UNLIMITED_RATE_LIMITS,
} from './archive-harness.ts';
import { EMULATOR_USER_EXTENSIONS } from './emulator-extensions.ts';

const HOUR_MS = 3_600_000;

/** Registers `ids` as discovery would, first seen `firstSeen`; `gone` ones also gone since then. */
async function register(
  harness: ArchiveHarness,
  ids: readonly string[],
  firstSeen: string,
  gone: readonly string[] = [],
): Promise<void> {
  for (const id of [...ids, ...gone]) {
    await harness.registry.putDiscovered({
      id,
      type: 'User',
      status: 'Enabled',
      firstSeen,
      lastSeen: firstSeen,
      archived: true,
      ...(gone.includes(id) ? { goneSince: firstSeen } : {}),
    });
  }
}

/** The dispatcher and a worker that runs each queued batch in this process, in order. */
function accountArchive(harness: ArchiveHarness, settings: DispatchSettings) {
  const table = createStateTable({ tableName: harness.tableName, client: harness.dynamo.client });
  const archiver = harness.createArchiver();
  const events: Array<{ detailType: string; detail: unknown }> = [];
  const queued: string[][] = [];
  const dependencies = {
    registry: harness.registry,
    alarm: createCompletenessAlarmStore(table),
    events: { publish: async (entries: typeof events) => void events.push(...entries) },
    worker: {
      invoke: async ({ extensionIds }: { extensionIds: string[] }) =>
        void queued.push(extensionIds),
    },
  };
  return {
    events,
    /** One dispatch, then the worker runs what it queued; returns the batches. */
    async run(): Promise<{ batches: string[][]; results: ExtensionBatchResult[] }> {
      await dispatchArchive(dependencies, settings);
      const batches = queued.splice(0);
      const results: ExtensionBatchResult[] = [];
      for (const batch of batches) {
        results.push(
          await archiveExtensionBatch({ archiver, registry: harness.registry }, batch, {
            deadline: Date.now() + 60_000,
          }),
        );
      }
      return { batches, results };
    },
  };
}

describe('the account-wide archive', () => {
  let harness: ArchiveHarness;
  const present = EMULATOR_USER_EXTENSIONS.slice(0, 4);
  const gone = EMULATOR_USER_EXTENSIONS[4] ?? '101005';

  beforeAll(async () => {
    harness = await startArchiveHarness({
      rateLimits: UNLIMITED_RATE_LIMITS,
      mailbox: {
        seed: 12,
        extensions: 5,
        mix: 'users',
        messagesPerExtension: 4,
        maxAttachmentBytes: 2_000,
      },
    });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('takes the rest first when a dispatch cannot take every extension, never a gone one, and says when it is behind and caught up', async () => {
    // Prepare: four present extensions first seen two hours ago, one gone; one batch of two.
    await register(harness, present, new Date(Date.now() - 2 * HOUR_MS).toISOString(), [gone]);
    const archive = accountArchive(harness, {
      batchSize: 2,
      maxBatches: 1,
      minIntervalMs: 0,
      inFlightMs: 60_000,
      behindThresholdSeconds: 3600,
    });

    // Act
    const first = await archive.run();
    const second = await archive.run();
    const third = await archive.run();
    const fourth = await archive.run();
    const differences = await compareArchive(harness, present);
    const goneArchived = await compareArchive(harness, [gone]);
    const entries = await Promise.all(present.map((id) => harness.registry.get(id)));

    // Assess: the first two runs split the four; the third takes the two finished longest ago.
    expect(first.batches).toEqual([present.slice(0, 2)]);
    expect(second.batches).toEqual([present.slice(2, 4)]);
    expect(third.batches).toEqual([present.slice(0, 2)]);
    expect([first, second, third, fourth].flatMap((run) => run.batches.flat())).not.toContain(gone);
    expect(differences.missingMessages).toEqual([]);
    expect(differences.badAttachments).toEqual([]);
    expect(differences.checkedMessages).toBeGreaterThan(0);
    expect(goneArchived.missingMessages).toHaveLength(goneArchived.checkedMessages);
    for (const entry of entries) expect(entry?.completeThrough).toBeDefined();
    // Behind once (naming every present extension, not the gone one), caught up once.
    expect(archive.events.map((event) => event.detailType)).toEqual([
      CompletenessEvent.behind,
      CompletenessEvent.caughtUp,
    ]);
    const behind = archive.events[0]?.detail as {
      behindCount: number;
      extensions: Array<{ id: string }>;
    };
    expect(behind.behindCount).toBe(4);
    expect(behind.extensions.map((extension) => extension.id).sort()).toEqual([...present].sort());
  });
});

describe('the account-wide archive with a token that may read only its own mailbox', () => {
  let harness: ArchiveHarness;
  const [own = '101001', other = '101002'] = EMULATOR_USER_EXTENSIONS;

  beforeAll(async () => {
    harness = await startArchiveHarness({
      rateLimits: UNLIMITED_RATE_LIMITS,
      mailbox: {
        seed: 13,
        extensions: 2,
        mix: 'users',
        messagesPerExtension: 3,
        maxAttachmentBytes: 1_000,
      },
      // The credentials' JWT logs in as the first extension, without an admin role.
      logins: [{ jwt: resolveCredentials().jwt, extensionId: own, admin: false }],
    });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('records the refused extension as a permission error naming the permission, counts it, and archives the rest', async () => {
    // Prepare
    await register(harness, [own, other], new Date().toISOString());
    const archiver = harness.createArchiver();

    // Act
    const result = await archiveExtensionBatch(
      { archiver, registry: harness.registry },
      [other, own],
      {
        deadline: Date.now() + 60_000,
      },
    );
    const summaries = summarizeBatch(result);
    const refused = await harness.registry.get(other);
    const archived = await harness.registry.get(own);

    // Assess
    expect(result.permissionErrors).toEqual([{ extensionId: other, permission: 'ReadMessages' }]);
    expect(refused?.permissionError).toBe('ReadMessages');
    expect(refused?.completeThrough).toBeUndefined();
    expect(archived?.completeThrough).toBeDefined();
    expect(archived?.permissionError).toBeUndefined();
    expect(summaries[0]?.metrics).toEqual([
      { name: PERMISSION_ERRORS_METRIC, unit: 'Count', value: 1 },
    ]);
    const line = summaries.find((summary) => summary.log.fields.extensionId === other)?.log;
    expect(line?.level).toBe('error');
    expect(line?.message).toContain('grant the user permission ReadMessages');
  });
});
