/**
 * The backfill through the message-store export, against the local RingCentral and s3rver: the
 * same objects as the archive function, progress to the end, an interrupted run resumed from its
 * checkpoint without storing anything twice, and a rerun that writes nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackfillProgress } from '../../../cli/backfill/progress.ts';
import type { ObjectStore } from '../../../lib/archive/ports.ts';
import { createFileCheckpointStore } from '../../../lib/backfill/checkpoint.ts';
import { runBackfill } from '../../../lib/backfill/run.ts';
import {
  ARCHIVE_BUCKET,
  type ArchiveHarness,
  START_DATE,
  startArchiveHarness,
  UNLIMITED_RATE_LIMITS,
} from '../archive/archive-harness.ts';
import { EMULATOR_USER_EXTENSIONS } from '../archive/emulator-extensions.ts';
import { bucketDifferences, bucketDigests, bucketStore, runArchiveFunction } from './harness.ts';

const EXTENSIONS = EMULATOR_USER_EXTENSIONS.slice(0, 2);

describe('the backfill through the export', () => {
  let harness: ArchiveHarness;
  let directory: string;
  /** The archive function's bucket: what every backfill must reproduce. */
  let expected: Map<string, string>;
  let archivedComplete: boolean[];

  beforeAll(async () => {
    harness = await startArchiveHarness({
      rateLimits: UNLIMITED_RATE_LIMITS,
      exportStepMs: 50,
      mailbox: { seed: 21, extensions: 2, messagesPerExtension: 30, maxAttachmentBytes: 40_000 },
    });
    directory = await mkdtemp(join(tmpdir(), 'backfill-'));
    const outcomes = await runArchiveFunction(harness, EXTENSIONS);
    archivedComplete = outcomes.at(-1)?.runs.map((run) => run.complete) ?? [];
    expected = await bucketDigests(harness.s3.client, ARCHIVE_BUCKET);
  });

  afterAll(async () => {
    await harness.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('writes the same objects, byte for byte, as the archive function', async () => {
    // Prepare
    const objects = await bucketStore(harness, 'backfill-export');
    const progress: BackfillProgress[] = [];
    const alive = EXTENSIONS.flatMap((id) => harness.emulator.mailbox.messages(id));
    // Why a message fell back to downloading, if one does: kept so that a failure says so.
    const log: string[] = [];

    // Act
    const result = await runBackfill({
      ringCentral: harness.createClient(),
      objects,
      locators: harness.locators,
      checkpoints: createFileCheckpointStore(join(directory, 'same.json')),
      request: { dateFrom: START_DATE },
      pollIntervalMs: 50,
      verifyStored: true,
      onProgress: (snapshot) => progress.push(snapshot),
      log: (line) => log.push(line),
    });
    const actual = await bucketDigests(harness.s3.client, 'backfill-export');

    // Assess
    expect(archivedComplete).toEqual([true, true]);
    expect(log).toEqual([]);
    expect(result).toMatchObject({
      mode: 'export',
      complete: true,
      messagesTotal: alive.length,
      messagesArchived: alive.length,
      messagesByDownload: 0,
      failures: [],
    });
    expect(result.attachmentsStored).toBe(
      alive.reduce((sum, message) => sum + message.attachments.length, 0),
    );
    expect(expected.size).toBeGreaterThan(alive.length * 2);
    expect(bucketDifferences(expected, actual)).toEqual({ missing: [], extra: [], different: [] });
    expect(progress.at(-1)).toMatchObject({ phase: 'done', messagesDone: alive.length, etaMs: 0 });
    expect(progress.at(-1)?.bytesDone).toBe(progress.at(-1)?.bytesTotal);
    expect(progress.some((snapshot) => snapshot.phase === 'downloading')).toBe(true);
  });

  it('resumes after an interruption without storing anything twice, and a rerun writes nothing', async () => {
    // Prepare
    const inner = await bucketStore(harness, 'backfill-resume');
    const controller = new AbortController();
    const putKeys: string[] = [];
    // Interrupts the run (as Ctrl+C would) once a third of the attachments are stored.
    const total = EXTENSIONS.flatMap((id) => harness.emulator.mailbox.messages(id)).reduce(
      (sum, message) => sum + message.attachments.length,
      0,
    );
    const objects: ObjectStore = {
      ...inner,
      put: async (key, body, options) => {
        const stored = await inner.put(key, body, options);
        putKeys.push(key);
        const attachments = putKeys.filter((item) => item.includes('/attachments/'));
        if (attachments.length >= total / 3) controller.abort();
        return stored;
      },
    };
    const checkpoints = createFileCheckpointStore(join(directory, 'resume.json'));
    const options = {
      ringCentral: harness.createClient(),
      objects,
      locators: harness.locators,
      checkpoints,
      request: { dateFrom: START_DATE },
      pollIntervalMs: 50,
    };

    // Act
    const interrupted = await runBackfill({ ...options, signal: controller.signal }).then(
      () => 'completed',
      (error: unknown) => (error instanceof Error ? error.name : String(error)),
    );
    const stored = await checkpoints.load();
    const attachmentsBefore = putKeys.filter((key) => key.includes('/attachments/')).length;
    const resumed = await runBackfill(options);
    const rerun = await runBackfill(options);
    const actual = await bucketDigests(harness.s3.client, 'backfill-resume');

    // Assess
    expect(interrupted).toBe('AbortedError');
    expect(stored?.mode).toBe('export');
    expect(stored?.taskId).toBeDefined();
    expect(resumed.complete).toBe(true);
    expect(resumed.taskId).toBe(stored?.taskId);
    expect(resumed.attachmentsSkipped).toBe(attachmentsBefore);
    expect(resumed.attachmentsStored).toBe(total - attachmentsBefore);
    expect(rerun).toMatchObject({ complete: true, attachmentsStored: 0, messagesArchived: 0 });
    expect(rerun.messagesUnchanged).toBe(rerun.messagesTotal);
    expect(bucketDifferences(expected, actual)).toEqual({ missing: [], extra: [], different: [] });
  });
});
