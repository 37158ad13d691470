/**
 * The S3 object store on a bucket with Object Lock (the local S3's front): every object it writes
 * carries the configured retention, whichever way the body goes up, and HEAD reports it.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3ObjectStore } from '../../../lib/aws/s3-object-store.ts';
import { type LocalS3, startS3rver } from '../../support/s3rver.ts';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2031-06-01T12:00:00Z');

describe('the S3 object store with a retention', () => {
  let s3: LocalS3;

  beforeAll(async () => {
    s3 = await startS3rver({ clock: () => NOW });
    await s3.createBucket('locked', { objectLock: {} });
    await s3.createBucket('defaulted', {
      objectLock: { defaultRetention: { mode: 'GOVERNANCE', days: 2 } },
    });
    await s3.createBucket('unlocked');
  });

  afterAll(async () => {
    await s3.stop();
  });

  it('writes every object with its retention: one PUT, multipart, unknown length', async () => {
    // Prepare
    const store = createS3ObjectStore({
      bucket: 'locked',
      client: s3.client,
      retention: { mode: 'COMPLIANCE', days: 30 },
      now: () => NOW,
      partSize: 5 * 1024 * 1024,
      singlePutLimit: 5 * 1024 * 1024,
    });
    const large = randomBytes(6 * 1024 * 1024);
    const retention = { mode: 'COMPLIANCE', retainUntil: new Date(NOW + 30 * DAY).toISOString() };

    // Act
    const small = await store.put('m/message.json', '{"id":"1"}', {});
    const parts = await store.put('m/large.bin', Readable.from([large]), { size: large.length });
    const unsized = await store.put('m/unsized.bin', Readable.from([Buffer.from('abc')]), {});
    const heads = await Promise.all(
      ['m/message.json', 'm/large.bin', 'm/unsized.bin'].map((key) => store.head(key)),
    );

    // Assess
    for (const written of [small, parts, unsized]) expect(written.retention).toEqual(retention);
    expect(heads.map((info) => info?.retention)).toEqual([retention, retention, retention]);
    expect(heads.map((info) => info?.versionId)).toEqual([
      small.versionId,
      parts.versionId,
      unsized.versionId,
    ]);
    expect(small.versionId).toMatch(/^[\w-]{32}$/);
  });

  it('cannot have the version it wrote deleted before the retention ends', async () => {
    // Prepare
    const store = createS3ObjectStore({
      bucket: 'locked',
      client: s3.client,
      retention: { mode: 'GOVERNANCE', days: 1 },
      now: () => NOW,
    });
    const written = await store.put('m/attachment.pdf', 'pdf', {});

    // Act
    const refusal = await s3.client
      .send(
        new DeleteObjectCommand({
          Bucket: 'locked',
          Key: 'm/attachment.pdf',
          VersionId: written.versionId,
        }),
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    // Assess
    expect(refusal).toBeInstanceOf(S3ServiceException);
    expect((refusal as S3ServiceException).name).toBe('AccessDenied');
    expect(await store.getText('m/attachment.pdf')).toBe('pdf');
  });

  it("reports the bucket's default retention on objects written without one", async () => {
    // Prepare
    const store = createS3ObjectStore({ bucket: 'defaulted', client: s3.client });

    // Act
    const written = await store.put('k', 'body', {});
    const info = await store.head('k');

    // Assess
    expect(written.retention).toBeUndefined();
    expect(info?.retention).toEqual({
      mode: 'GOVERNANCE',
      retainUntil: new Date(NOW + 2 * DAY).toISOString(),
    });
    expect(info?.legalHold).toBeUndefined();
  });

  it('reports no retention nor version on a bucket without Object Lock', async () => {
    // Prepare
    const store = createS3ObjectStore({ bucket: 'unlocked', client: s3.client });

    // Act
    const written = await store.put('k', 'body', {});
    const info = await store.head('k');

    // Assess
    expect(written).not.toHaveProperty('versionId');
    expect(info).toEqual({ size: 4, etag: written.etag });
  });
});
