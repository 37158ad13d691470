/**
 * Purge's proof of immutability over HTTP: a message archived through the S3 object store into
 * the local S3 with Object Lock is proven archived only when message.json and every attachment
 * carry a retention reaching the required date; HEAD is where the proof comes from.
 */
import { DeleteObjectCommand, GetObjectCommand, type S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3ObjectStore } from '../../../lib/aws/s3-object-store.ts';
import { verifyArchived } from '../../../lib/purge/verification.ts';
import { type LocalS3, startS3rver } from '../../support/s3rver.ts';
import { archiveRecord, attachmentBytes, messageRecord } from '../../unit/purge/fixture.ts';

const CREATED = Date.parse('2031-03-01T10:00:00Z');
const ARCHIVED = CREATED + 60_000;
const REQUIRED = { requiredRetention: { days: 30 } };

describe('purge verification against the local S3 with Object Lock', () => {
  let s3: LocalS3;
  let count = 0;

  beforeAll(async () => {
    s3 = await startS3rver({ clock: () => ARCHIVED });
    await s3.createBucket('locked', { objectLock: {} });
    await s3.createBucket('unlocked');
  });

  afterAll(async () => {
    await s3.stop();
  });

  /** Archives one message with two attachments through the S3 object store. */
  async function archive(bucket: string, retention?: { days: number }) {
    count += 1;
    const record = messageRecord({
      id: `17240000000000000${count}`,
      creationTime: new Date(CREATED).toISOString(),
      attachmentSizes: [300, 5],
    });
    const store = createS3ObjectStore({
      bucket,
      client: s3.client,
      now: () => ARCHIVED,
      ...(retention ? { retention: { mode: 'COMPLIANCE', days: retention.days } } : {}),
    });
    const archived = await archiveRecord(store, record, (attachmentId) =>
      attachmentBytes(
        attachmentId,
        record.attachments?.find((attachment) => attachment.id === attachmentId)?.size ?? 0,
      ),
    );
    return { record, store, archived };
  }

  it('proves a message whose objects are retained for the configured days', async () => {
    // Prepare
    const { record, store } = await archive('locked', { days: 30 });

    // Act
    const result = await verifyArchived(store, record, REQUIRED);

    // Assess
    expect(result).toMatchObject({ verified: true, attachments: 2 });
  });

  it('does not prove a message whose objects carry no retention, nor too short a one', async () => {
    // Prepare
    const unretained = await archive('unlocked');
    const short = await archive('locked', { days: 10 });

    // Act
    const results = await Promise.all([
      verifyArchived(unretained.store, unretained.record, REQUIRED),
      verifyArchived(short.store, short.record, REQUIRED),
    ]);

    // Assess
    expect(results.map((result) => result.verified === false && result.reason)).toEqual([
      'manifest-not-retained',
      'manifest-not-retained',
    ]);
  });

  it('cannot have a retained message.json deleted, and an overwrite is a new, unproven version beside it', async () => {
    // Prepare
    const { record, store, archived } = await archive('locked', { days: 30 });
    const head = await store.head(archived.manifestKey);

    // Act
    const refusal = await s3.client
      .send(
        new DeleteObjectCommand({
          Bucket: 'locked',
          Key: archived.manifestKey,
          VersionId: head?.versionId,
          BypassGovernanceRetention: true,
        }),
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const rewritten = await store.put(archived.manifestKey, '{"tampered":true}', {});
    const after = await verifyArchived(store, record, REQUIRED);
    const kept = await s3.client.send(
      new GetObjectCommand({
        Bucket: 'locked',
        Key: archived.manifestKey,
        VersionId: head?.versionId,
      }),
    );

    // Assess
    expect((refusal as S3ServiceException).name).toBe('AccessDenied');
    expect(rewritten.versionId).not.toBe(head?.versionId);
    expect(after).toMatchObject({ verified: false, reason: 'manifest-invalid' });
    expect(JSON.parse((await kept.Body?.transformToString()) ?? '{}').message.id).toBe(record.id);
  });
});
