import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArchiveHarness,
  bucketKeys,
  compareArchive,
  messagesBehindCursor,
  startArchiveHarness,
  UNLIMITED_RATE_LIMITS,
} from './archive-harness.ts';
import { EMULATOR_USER_EXTENSIONS } from './emulator-extensions.ts';

// Completeness is what this test checks, not speed (the benchmarks measure that): the deadline is
// generous so that a loaded machine cannot turn it into a partial run.
const RUN_DEADLINE_MS = 120_000;

describe('archiving a seeded mailbox', () => {
  let harness: ArchiveHarness;

  beforeAll(async () => {
    harness = await startArchiveHarness({
      rateLimits: UNLIMITED_RATE_LIMITS,
      mailbox: {
        seed: 11,
        extensions: 2,
        messagesPerExtension: 520,
        maxAttachmentBytes: 6_000,
      },
    });
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('stores every message and attachment byte-identical, and a second run writes nothing', async () => {
    // Prepare
    const extensions = EMULATOR_USER_EXTENSIONS.slice(0, 2);
    const total = extensions.reduce(
      (sum, id) => sum + harness.emulator.mailbox.messages(id).length,
      0,
    );
    const archiver = harness.createArchiver({ concurrency: 8 });

    // Act
    const first = await Promise.all(
      extensions.map((id) =>
        archiver.archiveExtension(id, { deadline: Date.now() + RUN_DEADLINE_MS }),
      ),
    );
    const second = await Promise.all(
      extensions.map((id) =>
        archiver.archiveExtension(id, { deadline: Date.now() + RUN_DEADLINE_MS }),
      ),
    );
    const differences = await compareArchive(harness, extensions);
    const stored = await bucketKeys(harness);
    const behind = await Promise.all(
      extensions.map((id) => messagesBehindCursor(harness, id, id, stored)),
    );

    // Assess
    expect(total).toBeGreaterThanOrEqual(1_000);
    expect(first.map((run) => [run.complete, run.cursorAdvanced, run.mode])).toEqual([
      [true, true, 'FSync'],
      [true, true, 'FSync'],
    ]);
    expect(first.reduce((sum, run) => sum + run.archivedMessages, 0)).toBe(total);
    expect(differences.checkedMessages).toBe(total);
    expect(differences.checkedAttachments).toBeGreaterThan(total / 2);
    expect(differences.missingMessages).toEqual([]);
    expect(differences.badAttachments).toEqual([]);
    expect(differences.incompleteManifests).toEqual([]);
    expect(behind).toEqual([
      { cursorSet: true, unarchived: [] },
      { cursorSet: true, unarchived: [] },
    ]);
    expect(second.map((run) => [run.mode, run.records, run.archivedMessages])).toEqual([
      ['ISync', 0, 0],
      ['ISync', 0, 0],
    ]);
  }, 300_000);
});
