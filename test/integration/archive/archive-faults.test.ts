/**
 * The fault matrix: each case breaks one thing mid-archive, then re-runs to completion and checks
 * that nothing is missing or corrupted and that the cursor was never ahead of the archive.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { messageKey } from '../../../lib/archive/layout.ts';
import { parseManifest } from '../../../lib/archive/manifest.ts';
import type { ObjectStore } from '../../../lib/archive/ports.ts';
import type { MessageRecord } from '../../../lib/ringcentral/index.ts';
import type { EmulatorOptions } from '../../../local/ringcentral/index.ts';
import {
  type ArchiveHarness,
  archiveUntilComplete,
  compareArchive,
  messagesBehindCursor,
  startArchiveHarness,
  UNLIMITED_RATE_LIMITS,
} from './archive-harness.ts';
import { EMULATOR_USER_EXTENSIONS } from './emulator-extensions.ts';

const EXTENSION = EMULATOR_USER_EXTENSIONS[0] ?? '101001';

/**
 * A run's time where the case is not about deadlines: longer than a test may take, so that only
 * the cases that set a deadline meet one, however slow the machine.
 */
const AMPLE_MS = 10 * 60_000;

const SMALL_MAILBOX: EmulatorOptions = {
  rateLimits: UNLIMITED_RATE_LIMITS,
  mailbox: { seed: 5, extensions: 1, messagesPerExtension: 30, maxAttachmentBytes: 40_000 },
};

/** Fails the k-th put (1-based) and counts every put. */
function failingAtPut(objects: ObjectStore, k: number): ObjectStore & { puts: () => number } {
  let puts = 0;
  return {
    head: (key) => objects.head(key),
    digest: (key, options) => objects.digest(key, options),
    getText: (key) => objects.getText(key),
    put: async (key, body, options) => {
      puts += 1;
      if (puts === k) {
        if (typeof body === 'object' && 'destroy' in body) body.destroy();
        throw new Error(`Injected PutObject failure at object ${k}`);
      }
      return objects.put(key, body, options);
    },
    puts: () => puts,
  };
}

async function expectArchiveWhole(harness: ArchiveHarness): Promise<void> {
  const differences = await compareArchive(harness, [EXTENSION]);
  expect(differences.checkedMessages).toBe(
    harness.emulator.mailbox.messages(EXTENSION).filter((m) => m.availability === 'Alive').length,
  );
  expect(differences.missingMessages).toEqual([]);
  expect(differences.badAttachments).toEqual([]);
  expect(differences.incompleteManifests).toEqual([]);
  expect(await messagesBehindCursor(harness, '~', EXTENSION)).toEqual({
    cursorSet: true,
    unarchived: [],
  });
}

/** Whatever is archived is whole, and the cursor covers nothing unarchived. */
async function expectNothingCorrupted(harness: ArchiveHarness): Promise<void> {
  const differences = await compareArchive(harness, [EXTENSION]);
  expect(differences.badAttachments).toEqual([]);
  expect(differences.incompleteManifests).toEqual([]);
  expect((await messagesBehindCursor(harness, '~', EXTENSION)).unarchived).toEqual([]);
}

describe('archive fault matrix', () => {
  let harness: ArchiveHarness | undefined;

  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it('recovers from S3 PutObject failing at the k-th object', async () => {
    // Prepare
    harness = await startArchiveHarness(SMALL_MAILBOX);
    const faulty = failingAtPut(harness.objects, 7);
    const broken = harness.createArchiver({ objects: faulty, concurrency: 1 });

    // Act
    const first = await broken.archiveExtension('~', { deadline: Date.now() + AMPLE_MS });
    const afterFailure = await harness.cursors.get('~');
    await expectNothingCorrupted(harness);
    const { runs } = await archiveUntilComplete(harness.createArchiver(), '~', { runMs: AMPLE_MS });

    // Assess
    expect(faulty.puts()).toBeGreaterThan(7);
    expect(first.failures).toHaveLength(1);
    expect(first.failures[0]?.error).toContain('Injected PutObject failure');
    expect(first.complete).toBe(false);
    expect(first.cursorAdvanced).toBe(false);
    expect(afterFailure.syncToken).toBeUndefined();
    expect(runs).toBe(1);
    await expectArchiveWhole(harness);
  });

  it('recovers from RingCentral 5xx answers and connections dropped mid-attachment', async () => {
    // Prepare
    harness = await startArchiveHarness(SMALL_MAILBOX);
    harness.emulator.setFaults({ errorRate: 0.15, dropMidBodyRate: 0.4 });
    let retries = 0;
    let resumes = 0;
    const client = harness.createClient({
      hooks: {
        onRetry: () => {
          retries += 1;
        },
      },
    });
    const archiver = harness.createArchiver({
      ringCentral: {
        ...client,
        attachments: {
          read: (ref, options) =>
            client.attachments.read(ref, {
              ...options,
              onResume: () => {
                resumes += 1;
              },
            }),
        },
      },
    });

    // Act
    const { runs } = await archiveUntilComplete(archiver, '~', { maxRuns: 8, runMs: AMPLE_MS });
    harness.emulator.setFaults({});

    // Assess
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(retries).toBeGreaterThan(0);
    expect(resumes).toBeGreaterThan(0);
    await expectArchiveWhole(harness);
  });

  it('stops cleanly in a 429 storm and completes once it is over', async () => {
    // Prepare
    harness = await startArchiveHarness({
      rateLimits: { enabled: true, windowScale: 0.02 },
      mailbox: { seed: 6, extensions: 1, messagesPerExtension: 12, maxAttachmentBytes: 8_000 },
    });
    // A penalty longer than the run's 2.5 s: the first 429 decides, so no retry can be in flight
    // when the deadline comes, however slow the machine
    harness.emulator.setFaults({ tooManyRequests: true, stormRetryAfterSeconds: 3 });
    harness.emulator.resetStats();
    const archiver = harness.createArchiver();

    // Act
    const stormy = await archiver.archiveExtension('~', { deadline: Date.now() + 2_500 });
    const stormRequests = harness.emulator.stats().requests;
    await expectNothingCorrupted(harness);
    harness.emulator.setFaults({});
    // No pause for the storm to pass: the next run waits out the penalty within its own deadline.
    const { runs } = await archiveUntilComplete(archiver, '~', { maxRuns: 6, runMs: AMPLE_MS });

    // Assess
    expect(stormy.complete).toBe(false);
    expect(stormy.cursorAdvanced).toBe(false);
    expect(stormy.failures).toEqual([]);
    // It stopped because no wait may outlast the deadline, not by running into it.
    expect(stormy.stoppedAtDeadline).toBe(true);
    expect(stormy.stopReason).toMatch(/^DeadlineExceededError/);
    // The client waits out Retry-After instead of hammering the penalty: a run of 2.5 s sends at
    // most one request per second of it (here one: the penalty outlasts the run).
    expect(stormRequests).toBeLessThanOrEqual(3);
    expect(runs).toBeGreaterThanOrEqual(1);
    await expectArchiveWhole(harness);
  });

  it('stops at a checkpoint when the invocation runs out of time, and resumes', async () => {
    // Prepare
    harness = await startArchiveHarness(SMALL_MAILBOX);
    // The archiver's clock moves 100 ms with each message.json, so 15 messages a worker cannot fit
    // in the 1 s before the checkpoint. It starts an hour ahead of the machine's, so that only the
    // archiver's clock reaches the deadline (the client's deadline timers stay an hour away).
    const start = Date.now() + 3_600_000;
    let clock = start;
    const { objects } = harness;
    const ticking: ObjectStore = {
      ...objects,
      put: async (key, body, options) => {
        const stored = await objects.put(key, body, options);
        if (key.endsWith('/message.json')) clock += 100;
        return stored;
      },
    };
    const archiver = harness.createArchiver({
      objects: ticking,
      concurrency: 2,
      checkpointMarginMs: 200,
      now: () => clock,
    });
    const deadline = start + 1_200;

    // Act
    const short = await archiver.archiveExtension('~', { deadline });
    await expectNothingCorrupted(harness);
    const resumed = await harness
      .createArchiver()
      .archiveExtension('~', { deadline: Date.now() + AMPLE_MS });

    // Assess
    expect(short.stoppedAtDeadline).toBe(true);
    expect(short.failures).toEqual([]);
    expect(short.cursorAdvanced).toBe(false);
    expect(short.archivedMessages).toBeGreaterThan(0);
    expect(short.archivedMessages).toBeLessThan(30);
    // Only the messages already started at the checkpoint finished after it, within the deadline.
    expect(clock).toBeLessThanOrEqual(deadline);
    expect(resumed.complete).toBe(true);
    expect(resumed.unchangedMessages).toBe(short.archivedMessages);
    await expectArchiveWhole(harness);
  });

  it('recovers from MSG-333 mid-way with a full sync that loses nothing', async () => {
    // Prepare
    harness = await startArchiveHarness(SMALL_MAILBOX);
    const archiver = harness.createArchiver();
    await archiveUntilComplete(archiver, '~', { runMs: AMPLE_MS });
    harness.emulator.mailbox.receive(
      EXTENSION,
      ...Array.from({ length: 6 }, (_, index) => ({
        type: 'Fax' as const,
        from: { phoneNumber: '+16505550100' },
        to: [{ phoneNumber: '+16505550199' }],
        attachments: [
          {
            type: 'RenderedDocument' as const,
            contentType: 'application/pdf',
            size: 3_000 + index,
          },
        ],
      })),
    );
    const partial = await archiver.archiveExtension('~', { deadline: Date.now() - 1 });
    const cursor = await harness.cursors.get('~');
    const foreignToken = Buffer.from(`another-epoch.${EXTENSION}.3`).toString('base64url');
    await harness.cursors.advance(
      '~',
      { ...cursor, syncToken: foreignToken, version: undefined } as never,
      cursor.version,
    );

    // Act
    const recovered = await archiver.archiveExtension('~', { deadline: Date.now() + AMPLE_MS });

    // Assess
    expect(partial.cursorAdvanced).toBe(false);
    expect(recovered.mode).toBe('FSync');
    expect(recovered.fullSyncReason).toBe('MSG-333');
    expect(recovered.complete).toBe(true);
    expect(recovered.archivedMessages).toBe(6);
    expect(recovered.storedAttachments).toBe(6);
    await expectArchiveWhole(harness);
  });

  it('keeps what exists of a message deleted in RingCentral between sync and download', async () => {
    // Prepare
    harness = await startArchiveHarness(SMALL_MAILBOX);
    const withAttachments = harness.emulator.mailbox
      .messages(EXTENSION)
      .filter((message) => message.attachments.length > 0);
    const purgedVictim = withAttachments[0];
    const deletedVictim = withAttachments[1];
    if (!purgedVictim || !deletedVictim) throw new Error('The seed has too few attachments');
    const purgedAttachmentIds = purgedVictim.attachments.map((attachment) => attachment.id);
    const client = harness.createClient();
    const racing = harness.createArchiver({
      ringCentral: {
        ...client,
        sync: async (request, options) => {
          const synced = await client.sync(request, options);
          harness?.emulator.mailbox.delete(EXTENSION, purgedVictim.id, true);
          harness?.emulator.mailbox.delete(EXTENSION, deletedVictim.id, false);
          return synced;
        },
      },
    });

    // Act
    const raced = await racing.archiveExtension('~', { deadline: Date.now() + AMPLE_MS });
    const next = await harness.createArchiver().archiveExtension('~', {
      deadline: Date.now() + AMPLE_MS,
    });
    const purgedCopy = parseManifest(
      (await harness.objects.getText(messageKey(purgedVictim as unknown as MessageRecord))) ?? '',
    );
    const deletedCopy = parseManifest(
      (await harness.objects.getText(messageKey(deletedVictim as unknown as MessageRecord))) ?? '',
    );

    // Assess
    expect(raced.failures).toEqual([]);
    expect(raced.complete).toBe(true);
    expect(raced.cursorAdvanced).toBe(true);
    expect(raced.missingAttachments).toBe(purgedAttachmentIds.length);
    expect(purgedCopy.availability).toBe('Purged');
    expect(purgedCopy.deletedAt).toBeDefined();
    expect(purgedCopy.missingAttachments?.map((entry) => entry.id)).toEqual(purgedAttachmentIds);
    expect(next.complete).toBe(true);
    expect(next.markedDeleted).toBe(1);
    expect(deletedCopy.availability).toBe('Deleted');
    expect(deletedCopy.deletedAt).toBeDefined();
    expect(deletedCopy.attachments).toHaveLength(deletedVictim.attachments.length);
    await expectArchiveWhole(harness);
  });
});
