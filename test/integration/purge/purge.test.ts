import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArchiver } from '../../../lib/archive/archiver.ts';
import { attachmentKey } from '../../../lib/archive/layout.ts';
import type { RetentionDays } from '../../../lib/purge/candidates.ts';
import type { PurgeReport } from '../../../lib/purge/report.ts';
import { runPurge } from '../../../lib/purge/run.ts';
import type { MessageRecord } from '../../../lib/ringcentral/types.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { type LocalS3, startS3rver } from '../../support/s3rver.ts';
import { OWN_EXTENSION, type PurgeWorld, startPurgeWorld } from './harness.ts';

const DAY_MS = 86_400_000;
const RETENTION: RetentionDays = { Fax: 20, VoiceMail: 20, SMS: 30, Pager: 25 };
/**
 * The mailbox of the tests that do not count delete batches: some 30 candidates (and 17 older
 * than the 40-day cursor) show what they check at a third of the cost of archiving the default
 * 160, which the batch test keeps to fill more than one batch of 50.
 */
const FEW = { messages: 48 };

let s3: LocalS3;
let dynamo: LocalDynamo;

beforeAll(async () => {
  [s3, dynamo] = await Promise.all([startS3rver(), startDynalite()]);
});

afterAll(async () => {
  await Promise.all([s3?.stop(), dynamo?.stop()]);
});

/** Candidates computed from the mailbox itself, independently of the purge code. */
function expectedCandidates(world: PurgeWorld, now: Date, cursorSyncTime: string): string[] {
  const cursor = Date.parse(cursorSyncTime);
  return world.emulator.mailbox
    .messages(world.records[0]?.extensionId ?? '')
    .filter((message) => {
      const days = RETENTION[message.type as keyof RetentionDays];
      if (days === undefined || message.availability !== 'Alive') return false;
      const cutoff = Math.min(now.getTime() - days * DAY_MS, cursor);
      return Date.parse(message.creationTime) < cutoff;
    })
    .map((message) => message.id);
}

function availabilityOf(world: PurgeWorld, id: string): string | undefined {
  const extensionId = world.records[0]?.extensionId ?? '';
  return world.emulator.mailbox.get(extensionId, id)?.availability;
}

function recordOf(world: PurgeWorld, id: string): MessageRecord {
  const record = world.records.find((candidate) => candidate.id === id);
  if (!record) throw new Error(`no record ${id}`);
  return record;
}

async function storedReport(world: PurgeWorld, key: string): Promise<PurgeReport> {
  const text = await world.objects.getText(key);
  if (text === undefined) throw new Error(`no report at ${key}`);
  return JSON.parse(text) as PurgeReport;
}

describe('purge against the local RingCentral, s3rver and dynalite', () => {
  it('skips and reports every hole in the archive and deletes every verified message, 50 per request', async () => {
    // Prepare
    const world = await startPurgeWorld({ s3, dynamo });
    try {
      const now = new Date();
      const candidates = expectedCandidates(world, now, now.toISOString());
      const withBytes = candidates.filter(
        (id) => (recordOf(world, id).attachments?.[0]?.size ?? 0) >= 2,
      );
      const [missingId, shortId, noManifestId, shaId] = withBytes;
      if (!missingId || !shortId || !noManifestId || !shaId) throw new Error('too few candidates');
      const attachmentKey = (id: string) => world.archived.get(id)?.attachmentKeys[0] ?? '';
      const sizeOf = (id: string) => recordOf(world, id).attachments?.[0]?.size ?? 0;
      await world.deleteObject(attachmentKey(missingId));
      await world.objects.put(attachmentKey(shortId), Buffer.alloc(sizeOf(shortId) - 1, 1), {});
      await world.deleteObject(world.archived.get(noManifestId)?.manifestKey ?? '');
      await world.objects.put(attachmentKey(shaId), Buffer.alloc(sizeOf(shaId), 0x5a), {});
      const holes = new Set([missingId, shortId, noManifestId, shaId]);
      const verified = candidates.filter((id) => !holes.has(id));

      // Act
      const { report, reportKey } = await runPurge(
        {
          messages: world.rc.messages,
          objects: world.objects,
          cursors: world.cursors,
          now: () => now,
        },
        { extensions: [OWN_EXTENSION], retentionDays: RETENTION, dryRun: false, hardPurge: true },
      );

      // Assess
      expect(verified.length).toBeGreaterThan(50);
      expect(new Set(report.deleted.map((entry) => entry.id))).toEqual(new Set(verified));
      expect(Object.fromEntries(report.skipped.map((entry) => [entry.id, entry.reason]))).toEqual({
        [missingId]: 'attachment-missing',
        [shortId]: 'attachment-size-mismatch',
        [noManifestId]: 'manifest-missing',
        [shaId]: 'attachment-etag-mismatch',
      });
      expect(report.failed).toEqual([]);
      for (const id of verified) expect(availabilityOf(world, id)).toBe('Purged');
      for (const id of holes) expect(availabilityOf(world, id)).toBe('Alive');
      const untouched = world.records.filter((record) => !candidates.includes(record.id));
      expect(untouched.length).toBeGreaterThan(0);
      for (const record of untouched) expect(availabilityOf(world, record.id)).toBe('Alive');
      const stats = world.emulator.stats();
      expect(stats.requestsByGroup.Medium).toBe(Math.ceil(verified.length / 50));
      expect(stats.requestsByGroup.Light).toBe(report.requests.listing);
      expect(report.requests).toEqual({ listing: 1, delete: Math.ceil(verified.length / 50) });
      expect(stats.purged).toBe(verified.length);
      expect(report.counts).toMatchObject({
        candidates: candidates.length,
        deleted: verified.length,
        skipped: 4,
        failed: 0,
      });
      expect(report.complete).toBe(true);
      expect(reportKey).toMatch(/^reports\/purge\/\d{4}\/\d{2}\/\d{2}\/.+\.json$/);
      expect(await storedReport(world, reportKey)).toEqual(report);
    } finally {
      await world.stop();
    }
  });

  it('deletes nothing in a dry run and reports what it would delete', async () => {
    // Prepare
    const world = await startPurgeWorld({ s3, dynamo }, FEW);
    try {
      const now = new Date();
      const candidates = expectedCandidates(world, now, now.toISOString());

      // Act
      const { report, reportKey } = await runPurge(
        {
          messages: world.rc.messages,
          objects: world.objects,
          cursors: world.cursors,
          now: () => now,
        },
        { extensions: [OWN_EXTENSION], retentionDays: RETENTION, dryRun: true, hardPurge: true },
      );

      // Assess
      expect(report.dryRun).toBe(true);
      expect(report.deleted).toEqual([]);
      expect(new Set(report.wouldDelete.map((entry) => entry.id))).toEqual(new Set(candidates));
      expect(world.emulator.stats().requestsByGroup.Medium).toBe(0);
      for (const record of world.records) expect(availabilityOf(world, record.id)).toBe('Alive');
      expect((await storedReport(world, reportKey)).wouldDelete).toHaveLength(candidates.length);
    } finally {
      await world.stop();
    }
  });

  it('considers nothing newer than the archive cursor', async () => {
    // Prepare
    const cursorSyncTime = new Date(Date.now() - 40 * DAY_MS).toISOString();
    const world = await startPurgeWorld({ s3, dynamo }, { ...FEW, cursorSyncTime });
    try {
      const now = new Date();
      const candidates = expectedCandidates(world, now, cursorSyncTime);

      // Act
      const { report } = await runPurge(
        {
          messages: world.rc.messages,
          objects: world.objects,
          cursors: world.cursors,
          now: () => now,
        },
        { extensions: [OWN_EXTENSION], retentionDays: RETENTION, dryRun: false, hardPurge: false },
      );

      // Assess
      expect(candidates.length).toBeGreaterThan(0);
      expect(new Set(report.deleted.map((entry) => entry.id))).toEqual(new Set(candidates));
      for (const entry of report.deleted) {
        expect(Date.parse(entry.creationTime ?? '')).toBeLessThan(Date.parse(cursorSyncTime));
        expect(availabilityOf(world, entry.id)).toBe('Deleted');
      }
      expect(report.extensions[0]?.cutoffs.Fax).toBe(cursorSyncTime);
    } finally {
      await world.stop();
    }
  });

  it('purges nothing for an extension the archive has no cursor for', async () => {
    // Prepare
    const world = await startPurgeWorld({ s3, dynamo }, { ...FEW, cursorSyncTime: null });
    try {
      // Act
      const { report } = await runPurge(
        { messages: world.rc.messages, objects: world.objects, cursors: world.cursors },
        { extensions: [OWN_EXTENSION], retentionDays: RETENTION, dryRun: false, hardPurge: true },
      );

      // Assess
      expect(report.extensions).toEqual([
        expect.objectContaining({ extension: OWN_EXTENSION, stopped: 'no-archive-cursor' }),
      ]);
      expect(report.deleted).toEqual([]);
      expect(world.emulator.stats().requests).toBe(0);
    } finally {
      await world.stop();
    }
  });

  it('stops verifying at the deadline, deletes only what it verified, and the next run finishes', async () => {
    // Prepare
    const world = await startPurgeWorld({ s3, dynamo }, FEW);
    try {
      const now = new Date();
      const candidates = expectedCandidates(world, now, now.toISOString());
      const settings = {
        extensions: [OWN_EXTENSION],
        retentionDays: RETENTION,
        dryRun: false,
        hardPurge: true,
        verifyConcurrency: 2,
        reportReserveMs: 200,
        deleteReserveMs: 3_000,
      };
      const deadline = Date.now() + 6_000;
      const verificationEnds = deadline - settings.reportReserveMs - settings.deleteReserveMs;
      // The first message asked about answers at once; every other one only once verification's
      // time is up, so the run verifies some and not all however fast or slow the machine is
      let heads = 0;
      let firstMessage: string | undefined;
      const slowStore = {
        ...world.objects,
        head: async (key: string) => {
          heads += 1;
          const message = key.replace(/(message\.json|attachments\/.*)$/, '');
          firstMessage ??= message;
          if (message !== firstMessage) {
            const wait = Math.max(0, verificationEnds - Date.now() + 1);
            await new Promise((resolve) => setTimeout(resolve, wait));
          }
          return world.objects.head(key);
        },
      };
      const dependencies = {
        messages: world.rc.messages,
        objects: slowStore,
        cursors: world.cursors,
        now: () => now,
      };

      // Act
      const first = await runPurge(dependencies, settings, { deadline });
      const second = await runPurge(dependencies, settings);

      // Assess
      expect(heads).toBeGreaterThan(0);
      expect(first.report.complete).toBe(false);
      expect(first.report.deleted.length).toBeGreaterThan(0);
      expect(first.report.deleted.length).toBeLessThan(candidates.length);
      const notReached = first.report.skipped.filter((entry) =>
        ['not-verified-before-deadline', 'not-deleted-before-deadline'].includes(entry.reason),
      );
      expect(first.report.skipped).toEqual(notReached);
      // A delete whose answer the deadline cut off is reported as failed: its outcome is unknown.
      for (const failure of first.report.failed) expect(failure.status).toBeUndefined();
      const firstIds = [...first.report.deleted, ...first.report.failed, ...notReached].map(
        (entry) => entry.id,
      );
      expect(firstIds.sort()).toEqual([...candidates].sort());
      expect(second.report.complete).toBe(true);
      expect(second.report.failed).toEqual([]);
      for (const id of candidates) expect(availabilityOf(world, id)).toBe('Purged');
      const others = world.records.filter((record) => !candidates.includes(record.id));
      for (const record of others) expect(availabilityOf(world, record.id)).toBe('Alive');
      const deletedTwice = second.report.deleted.filter((entry) =>
        first.report.deleted.some((earlier) => earlier.id === entry.id),
      );
      expect(deletedTwice).toEqual([]);
    } finally {
      await world.stop();
    }
  });
});

describe('purge after the archiver', () => {
  it("verifies the archiver's own archive and deletes everything it proved, nothing else", async () => {
    // Prepare
    const world = await startPurgeWorld(
      { s3, dynamo },
      { ...FEW, archive: () => false, cursorSyncTime: null },
    );
    try {
      const archiver = createArchiver({
        ringCentral: world.rc,
        objects: world.objects,
        cursors: world.cursors,
        locators: world.locators,
        startDate: new Date(Date.now() - 70 * DAY_MS),
      });
      const run = await archiver.archiveExtension(OWN_EXTENSION, { deadline: Date.now() + 60_000 });
      const cursor = await world.cursors.get(OWN_EXTENSION);
      const now = new Date();
      const candidates = expectedCandidates(world, now, cursor.syncTime ?? '');
      const [holeId] = candidates;
      const hole = recordOf(world, holeId ?? '');
      const holeAttachment = hole.attachments?.[0];
      if (!holeAttachment) throw new Error('the first candidate has no attachment');
      await world.deleteObject(attachmentKey(hole, holeAttachment));

      // Act
      const { report } = await runPurge(
        {
          messages: world.rc.messages,
          objects: world.objects,
          cursors: world.cursors,
          now: () => now,
        },
        { extensions: [OWN_EXTENSION], retentionDays: RETENTION, dryRun: false, hardPurge: true },
      );

      // Assess
      expect(run.complete).toBe(true);
      expect(report.skipped).toEqual([
        expect.objectContaining({ id: holeId, reason: 'attachment-missing' }),
      ]);
      expect(new Set(report.deleted.map((entry) => entry.id))).toEqual(
        new Set(candidates.filter((id) => id !== holeId)),
      );
      expect(availabilityOf(world, holeId ?? '')).toBe('Alive');
    } finally {
      await world.stop();
    }
  });
});
