/**
 * The local S3 of `npm start` keeps Object Lock across restarts, as the archive on disk is kept:
 * the archive bucket's retention, versions and refusals hold after the servers start again on the
 * same directory, and objects written before the bucket had Object Lock become S3's `null`
 * version, without retention.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localArchiveBucket, startLocalS3 } from '../../../local/stack/storage.ts';

function clientOf(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function errorName(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'succeeded',
    (error: unknown) => (error instanceof S3ServiceException ? error.name : String(error)),
  );
}

describe('the local S3 across restarts', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'local-s3-'));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('keeps versions, retention and refusals, and treats older objects as the null version', async () => {
    // Prepare: an archive bucket from before Object Lock, then npm start's locked one.
    const before = await startLocalS3({ directory, buckets: ['archive'] });
    const plain = clientOf(before.endpoint);
    await plain.send(new PutObjectCommand({ Bucket: 'archive', Key: 'old.json', Body: '{}' }));
    plain.destroy();
    await before.stop();
    const first = await startLocalS3({ directory, buckets: [localArchiveBucket('archive')] });
    const writer = clientOf(first.endpoint);
    const written = await writer.send(
      new PutObjectCommand({ Bucket: 'archive', Key: 'new.json', Body: '{}' }),
    );
    writer.destroy();
    await first.stop();

    // Act
    const second = await startLocalS3({ directory, buckets: [localArchiveBucket('archive')] });
    const client = clientOf(second.endpoint);
    const head = await client.send(new HeadObjectCommand({ Bucket: 'archive', Key: 'new.json' }));
    const old = await client.send(new HeadObjectCommand({ Bucket: 'archive', Key: 'old.json' }));
    const refusal = await errorName(
      client.send(
        new DeleteObjectCommand({
          Bucket: 'archive',
          Key: 'new.json',
          VersionId: written.VersionId,
        }),
      ),
    );
    const oldDeletion = await errorName(
      client.send(
        new DeleteObjectCommand({ Bucket: 'archive', Key: 'old.json', VersionId: 'null' }),
      ),
    );
    client.destroy();
    await second.stop();

    // Assess
    expect(head.VersionId).toBe(written.VersionId);
    expect(head.ObjectLockMode).toBe('COMPLIANCE');
    expect(head.ObjectLockRetainUntilDate?.getTime()).toBeGreaterThan(Date.now());
    expect(refusal).toBe('AccessDenied');
    expect(old.VersionId).toBe('null');
    expect(old.ObjectLockMode).toBeUndefined();
    expect(oldDeletion).toBe('succeeded');
  });
});
