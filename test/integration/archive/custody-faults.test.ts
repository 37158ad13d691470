/**
 * A custody manifest the local S3 refuses to store (403 AccessDenied, as a bucket policy's Deny
 * makes S3 answer) fails the run: the archive cursor stays where it was, so the chain never lags
 * behind a cursor that has passed records it does not name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustodyHeadStore } from '../../../lib/archive/custody-ports.ts';
import { CUSTODY_PREFIX } from '../../../lib/archive/layout.ts';
import { createCustodyHeadStore } from '../../../lib/aws/custody-head-store.ts';
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
});
