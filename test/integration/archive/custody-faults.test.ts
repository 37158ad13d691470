/**
 * A custody manifest the local S3 refuses to store (403 AccessDenied, as a bucket policy's Deny
 * makes S3 answer) fails the run: the archive cursor stays where it was, and the next run, which
 * finds those objects already stored, records them. The refused manifest stays a break.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustodyHeadStore } from '../../../lib/archive/custody-ports.ts';
import { type CustodyBreak, verifyCustody } from '../../../lib/archive/custody-verify.ts';
import { accountOfKey, CUSTODY_PREFIX } from '../../../lib/archive/layout.ts';
import { createCustodyHeadStore } from '../../../lib/aws/custody-head-store.ts';
import { createS3ArchiveReader } from '../../../lib/aws/s3-archive-reader.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import {
  ARCHIVE_BUCKET,
  type ArchiveHarness,
  startArchiveHarness,
  UNLIMITED_RATE_LIMITS,
} from './archive-harness.ts';
import { EMULATOR_USER_EXTENSIONS } from './emulator-extensions.ts';

const [EXTENSION] = EMULATOR_USER_EXTENSIONS as [string];

describe('a custody manifest that cannot be stored', () => {
  let harness: ArchiveHarness;
  let heads: CustodyHeadStore;

  beforeAll(async () => {
    harness = await startArchiveHarness({
      rateLimits: UNLIMITED_RATE_LIMITS,
      mailbox: { seed: 41, extensions: 1, messagesPerExtension: 8, maxAttachmentBytes: 500 },
    });
    heads = createCustodyHeadStore(
      createStateTable({ tableName: harness.tableName, client: harness.dynamo.client }),
    );
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('fails the run and leaves the archive cursor where it was; the next run advances it', async () => {
    // Prepare
    const archiver = harness.createArchiver({ custody: { heads } });
    const allow = harness.s3.denyWrites({ bucket: ARCHIVE_BUCKET, keyPrefix: CUSTODY_PREFIX });
    const before = await harness.cursors.get(EXTENSION);

    // Act
    const refused = await archiver.archiveExtension(EXTENSION, { deadline: Date.now() + 60_000 });
    const cursorAfterRefusal = await harness.cursors.get(EXTENSION);
    allow();
    const retried = await archiver.archiveExtension(EXTENSION, { deadline: Date.now() + 60_000 });
    const cursorAfterRetry = await harness.cursors.get(EXTENSION);

    // Assess
    expect(refused.archivedMessages).toBeGreaterThan(0);
    expect(refused).toMatchObject({ complete: false, cursorAdvanced: false });
    expect(refused.failures).toEqual([
      { messageId: '(custody)', error: expect.stringContaining('AccessDenied') },
    ]);
    expect(cursorAfterRefusal).toEqual(before);
    expect(cursorAfterRefusal.syncToken).toBeUndefined();
    expect(retried).toMatchObject({ complete: true, cursorAdvanced: true, failures: [] });
    expect(cursorAfterRetry.syncToken).toEqual(expect.any(String));
  });

  it('records on the next run what the refused one stored, leaving only the refused manifest as a break', async () => {
    // Prepare
    const reader = createS3ArchiveReader({ bucket: ARCHIVE_BUCKET, client: harness.s3.client });
    const stored: string[] = [];
    for await (const listed of reader.list('archive/')) stored.push(listed.key);

    // Act
    const breaks: CustodyBreak[] = [];
    const summary = await verifyCustody({
      reader,
      heads,
      maxGapMs: 86_400_000,
      onBreak: (found) => breaks.push(found),
    });

    // Assess
    const head = await heads.get(accountOfKey(stored[0] ?? '') ?? '');
    expect(head?.sequence).toBe(2);
    expect(stored.length).toBeGreaterThan(8);
    expect(summary.hashed).toBe(stored.length);
    expect(breaks.map((found) => found.kind)).toEqual(['missing-manifest']);
    expect(breaks[0]?.detail).toMatch(/^sequence 1 of account \d+ is missing/);
  });
});
