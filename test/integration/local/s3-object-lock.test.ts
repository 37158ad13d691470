/**
 * The local S3's Object Lock against S3's documented behaviour, over HTTP with the AWS SDK: a
 * bucket created with Object Lock is versioned; versions carry retention and legal hold; a
 * retained or held version cannot be deleted; retention extends but compliance never shortens.
 * The stand-in's clock is injected, so "later" is a moved clock, never a wait.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, startS3rver } from '../../support/s3rver.ts';

const DAY = 24 * 60 * 60 * 1000;
const START = Date.parse('2030-01-01T00:00:00Z');

let s3: LocalS3;
let now = START;
let bucketCount = 0;

/** The S3 error a call failed with (code, status, message). */
async function s3ErrorOf(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (error instanceof S3ServiceException) {
      return { code: error.name, status: error.$metadata.httpStatusCode, message: error.message };
    }
    throw error;
  }
  throw new Error('the call succeeded');
}

async function lockedBucket(defaultRetention?: {
  mode: 'GOVERNANCE' | 'COMPLIANCE';
  days: number;
}) {
  bucketCount += 1;
  const name = `locked-${bucketCount}`;
  await s3.createBucket(name, { objectLock: defaultRetention ? { defaultRetention } : {} });
  return name;
}

function put(Bucket: string, Key: string, Body: string, lock: Record<string, unknown> = {}) {
  return s3.client.send(new PutObjectCommand({ Bucket, Key, Body, ...lock }));
}

async function text(Bucket: string, Key: string, VersionId?: string) {
  const answer = await s3.client.send(new GetObjectCommand({ Bucket, Key, VersionId }));
  return answer.Body?.transformToString();
}

beforeAll(async () => {
  s3 = await startS3rver({ clock: () => now });
});

afterAll(async () => {
  await s3?.stop();
});

describe('the local S3 with Object Lock', () => {
  it('writes a retained object and reports its retention on HEAD and GET', async () => {
    // Prepare
    now = START;
    const bucket = await lockedBucket();
    const until = new Date(START + 10 * DAY);

    // Act
    const written = await put(bucket, 'a/message.json', '{}', {
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: until,
    });
    const head = await s3.client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'a/message.json' }),
    );
    const retention = await s3.client.send(
      new GetObjectRetentionCommand({ Bucket: bucket, Key: 'a/message.json' }),
    );

    // Assess
    expect(written.VersionId).toMatch(/^[\w-]{32}$/);
    expect(head.VersionId).toBe(written.VersionId);
    expect(head.ObjectLockMode).toBe('COMPLIANCE');
    expect(head.ObjectLockRetainUntilDate?.toISOString()).toBe(until.toISOString());
    expect(retention.Retention).toEqual({ Mode: 'COMPLIANCE', RetainUntilDate: until });
  });

  it('keeps the retained version when the key is written again, and refuses to delete it', async () => {
    // Prepare
    now = START;
    const bucket = await lockedBucket();
    const lock = { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(START + DAY) };
    const first = await put(bucket, 'k', 'original', lock);

    // Act
    const second = await put(bucket, 'k', 'overwritten');
    const refusal = await s3ErrorOf(
      s3.client.send(
        new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: first.VersionId }),
      ),
    );
    const bypassed = await s3ErrorOf(
      s3.client.send(
        new DeleteObjectCommand({
          Bucket: bucket,
          Key: 'k',
          VersionId: first.VersionId,
          BypassGovernanceRetention: true,
        }),
      ),
    );

    // Assess
    expect(second.VersionId).not.toBe(first.VersionId);
    expect(await text(bucket, 'k')).toBe('overwritten');
    expect(await text(bucket, 'k', first.VersionId)).toBe('original');
    expect(refusal).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: 'Access Denied because object protected by object lock.',
    });
    expect(bypassed.code).toBe('AccessDenied');
  });

  it('answers a DELETE without version id with a delete marker, leaving the version', async () => {
    // Prepare
    now = START;
    const bucket = await lockedBucket({ mode: 'COMPLIANCE', days: 1 });
    const written = await put(bucket, 'k', 'kept');

    // Act
    const deleted = await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    const missing = await s3ErrorOf(
      s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' })),
    );
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));

    // Assess
    expect(deleted.DeleteMarker).toBe(true);
    expect(deleted.VersionId).not.toBe(written.VersionId);
    expect(missing.status).toBe(404);
    expect(listed.Contents ?? []).toEqual([]);
    expect(await text(bucket, 'k', written.VersionId)).toBe('kept');
  });

  it('applies the bucket default retention to a version written without lock headers', async () => {
    // Prepare
    now = START;
    const bucket = await lockedBucket({ mode: 'GOVERNANCE', days: 3 });

    // Act
    await put(bucket, 'k', 'body');
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }));
    const config = await s3.client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));

    // Assess
    expect(head.ObjectLockMode).toBe('GOVERNANCE');
    expect(head.ObjectLockRetainUntilDate?.getTime()).toBe(START + 3 * DAY);
    expect(config.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 3 } },
    });
  });

  it('deletes a governance version only with the bypass header', async () => {
    // Prepare
    now = START;
    const bucket = await lockedBucket({ mode: 'GOVERNANCE', days: 3 });
    const written = await put(bucket, 'k', 'body');
    const remove = (bypass: boolean) =>
      s3.client.send(
        new DeleteObjectCommand({
          Bucket: bucket,
          Key: 'k',
          VersionId: written.VersionId,
          ...(bypass ? { BypassGovernanceRetention: true } : {}),
        }),
      );

    // Act
    const refusal = await s3ErrorOf(remove(false));
    await remove(true);
    const gone = await s3ErrorOf(text(bucket, 'k', written.VersionId));

    // Assess
    expect(refusal.code).toBe('AccessDenied');
    expect(gone).toMatchObject({ code: 'NoSuchVersion', status: 404 });
  });

  it('extends a retention, never shortens a compliance one, shortens governance with bypass', async () => {
    // Prepare
    now = START;
    const bucket = await lockedBucket();
    const compliance = await put(bucket, 'c', 'x', {
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: new Date(START + 5 * DAY),
    });
    const governance = await put(bucket, 'g', 'x', {
      ObjectLockMode: 'GOVERNANCE',
      ObjectLockRetainUntilDate: new Date(START + 5 * DAY),
    });
    const retain = (Key: string, VersionId: string | undefined, days: number, bypass = false) =>
      s3.client.send(
        new PutObjectRetentionCommand({
          Bucket: bucket,
          Key,
          VersionId,
          Retention: {
            Mode: Key === 'c' ? 'COMPLIANCE' : 'GOVERNANCE',
            RetainUntilDate: new Date(START + days * DAY),
          },
          ...(bypass ? { BypassGovernanceRetention: true } : {}),
        }),
      );

    // Act
    await retain('c', compliance.VersionId, 9);
    const shortenCompliance = await s3ErrorOf(retain('c', compliance.VersionId, 2, true));
    const shortenGovernance = await s3ErrorOf(retain('g', governance.VersionId, 2));
    await retain('g', governance.VersionId, 2, true);
    const c = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c' }));
    const g = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'g' }));

    // Assess
    expect(shortenCompliance).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(shortenGovernance).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(c.ObjectLockRetainUntilDate?.getTime()).toBe(START + 9 * DAY);
    expect(g.ObjectLockRetainUntilDate?.getTime()).toBe(START + 2 * DAY);
  });

  it('keeps a held version past its retention until the hold is lifted', async () => {
    // Prepare
    now = START;
    const bucket = await lockedBucket({ mode: 'COMPLIANCE', days: 1 });
    const written = await put(bucket, 'k', 'held');
    await s3.client.send(
      new PutObjectLegalHoldCommand({ Bucket: bucket, Key: 'k', LegalHold: { Status: 'ON' } }),
    );
    const remove = () =>
      s3.client.send(
        new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: written.VersionId }),
      );

    // Act
    now = START + 2 * DAY;
    const held = await s3ErrorOf(remove());
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }));
    await s3.client.send(
      new PutObjectLegalHoldCommand({ Bucket: bucket, Key: 'k', LegalHold: { Status: 'OFF' } }),
    );
    const hold = await s3.client.send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: 'k' }));
    await remove();

    // Assess
    expect(held.code).toBe('AccessDenied');
    expect(head.ObjectLockLegalHoldStatus).toBe('ON');
    expect(hold.LegalHold?.Status).toBe('OFF');
    expect((await s3ErrorOf(text(bucket, 'k'))).status).toBe(404);
  });

  it('rejects lock headers S3 rejects', async () => {
    // Prepare
    now = START;
    const locked = await lockedBucket();
    await s3.createBucket('unlocked-1');
    const lock = { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(START + DAY) };

    // Act
    const onUnlocked = await s3ErrorOf(put('unlocked-1', 'k', 'x', lock));
    const past = await s3ErrorOf(
      put(locked, 'k', 'x', { ...lock, ObjectLockRetainUntilDate: new Date(START - DAY) }),
    );
    const half = await s3ErrorOf(put(locked, 'k', 'x', { ObjectLockMode: 'COMPLIANCE' }));
    const noConfig = await s3ErrorOf(
      s3.client.send(new GetObjectLockConfigurationCommand({ Bucket: 'unlocked-1' })),
    );

    // Assess
    expect(onUnlocked).toEqual({
      code: 'InvalidRequest',
      status: 400,
      message: 'Bucket is missing ObjectLockConfiguration',
    });
    expect(past).toMatchObject({ code: 'InvalidArgument', status: 400 });
    expect(half).toMatchObject({ code: 'InvalidArgument', status: 400 });
    expect(noConfig).toMatchObject({ code: 'ObjectLockConfigurationNotFoundError', status: 404 });
  });

  it('leaves a bucket created without Object Lock as s3rver has it: overwrite and delete in place', async () => {
    // Prepare
    await s3.createBucket('unlocked-2');
    await put('unlocked-2', 'k', 'first');

    // Act
    const second = await put('unlocked-2', 'k', 'second');
    await s3.client.send(new DeleteObjectCommand({ Bucket: 'unlocked-2', Key: 'k' }));

    // Assess
    expect(second.VersionId).toBeUndefined();
    expect((await s3ErrorOf(text('unlocked-2', 'k'))).code).toBe('NoSuchKey');
  });

  it('lists every version and delete marker, newest first, in pages that end between keys', async () => {
    // Prepare
    now = START;
    const bucket = await lockedBucket({ mode: 'GOVERNANCE', days: 1 });
    const a1 = await put(bucket, 'a & b', 'one');
    const a2 = await put(bucket, 'a & b', 'two');
    const b1 = await put(bucket, 'b', 'x');
    const marker = await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'b' }));
    const c1 = await put(bucket, 'c', 'y');

    // Act
    const all = await s3.client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const pages: Array<{ keys: string[]; next: string | undefined }> = [];
    let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
    for (let more = true; more; ) {
      const page = await s3.client.send(
        new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 2, ...markers }),
      );
      const entries = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])];
      pages.push({ keys: entries.map((entry) => entry.Key ?? ''), next: page.NextKeyMarker });
      markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
      more = page.IsTruncated === true;
    }

    // Assess
    expect(all.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest, v.Size])).toEqual([
      ['a & b', a2.VersionId, true, 3],
      ['a & b', a1.VersionId, false, 3],
      ['b', b1.VersionId, false, 1],
      ['c', c1.VersionId, true, 1],
    ]);
    expect(all.DeleteMarkers?.map((m) => [m.Key, m.VersionId, m.IsLatest])).toEqual([
      ['b', marker.VersionId, true],
    ]);
    expect(all.IsTruncated).toBe(false);
    expect(pages).toEqual([
      { keys: ['a & b', 'a & b'], next: 'a & b' },
      { keys: ['b', 'b'], next: 'b' },
      { keys: ['c'], next: undefined },
    ]);
  });

  it('reads every key it lists, even while the PUT that wrote it is still being catalogued', async () => {
    // Prepare: keys written concurrently, each one read the moment a listing shows it.
    now = START;
    const bucket = await lockedBucket({ mode: 'GOVERNANCE', days: 1 });
    const bodies = new Map(
      Array.from({ length: 12 }, (_, index) => [`k${index}`, `${index}`.repeat(200_000)]),
    );
    const writes = Promise.all([...bodies].map(([key, body]) => put(bucket, key, body)));
    const reads = new Map<string, Promise<string | undefined>>();

    // Act
    let written = false;
    void writes.then(() => {
      written = true;
    });
    while (reads.size < bodies.size) {
      const settledBeforeListing = written;
      const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
      for (const { Key } of listed.Contents ?? []) {
        if (Key && !reads.has(Key)) {
          reads.set(
            Key,
            text(bucket, Key).catch((error: Error) => error.name),
          );
        }
      }
      if (settledBeforeListing) break;
    }
    await writes;
    const read = await Promise.all([...reads].map(async ([key, body]) => [key, await body]));

    // Assess
    expect(new Map(read as Array<[string, string]>)).toEqual(bodies);
  });
});

describe('the local S3 listing with ListObjectsV2', () => {
  /** Every page of a listing, as the SDK's callers page it: by NextContinuationToken. */
  async function pages(input: { Bucket: string; Prefix?: string; Delimiter?: string }) {
    const answers = [];
    let ContinuationToken: string | undefined;
    do {
      const answer = await s3.client.send(
        new ListObjectsV2Command({ ...input, MaxKeys: 2, ContinuationToken }),
      );
      answers.push(answer);
      ContinuationToken = answer.NextContinuationToken;
    } while (ContinuationToken);
    return answers;
  }

  it.each([
    ['without Object Lock', () => s3.createBucket('paged-unlocked').then(() => 'paged-unlocked')],
    ['with Object Lock', () => lockedBucket()],
  ])(
    'pages past a truncated listing %s, as S3 does (s3rver alone fails on current Node)',
    async (_, create) => {
      // Prepare
      const bucket = await create();
      const keys = ['day/a.json', 'day/b & c.json', 'day/d.json', 'day/e/f.json', 'other/g.json'];
      for (const key of keys) await put(bucket, key, key);

      // Act
      const all = await pages({ Bucket: bucket, Prefix: 'day/' });
      const grouped = await pages({ Bucket: bucket, Delimiter: '/' });
      const after = await s3.client.send(
        new ListObjectsV2Command({ Bucket: bucket, StartAfter: 'day/d.json' }),
      );

      // Assess
      expect(all.flatMap((page) => page.Contents?.map((item) => item.Key))).toEqual(
        keys.slice(0, 4),
      );
      expect(all.map((page) => [page.KeyCount, page.IsTruncated])).toEqual([
        [2, true],
        [2, false],
      ]);
      expect(all[0]?.Contents?.[1]).toMatchObject({ Size: 'day/b & c.json'.length });
      expect(all[0]?.Contents?.[0]?.Owner).toBeUndefined();
      expect(grouped.flatMap((page) => page.CommonPrefixes?.map((item) => item.Prefix))).toEqual([
        'day/',
        'other/',
      ]);
      expect(after.Contents?.map((item) => item.Key)).toEqual(['day/e/f.json', 'other/g.json']);
      expect(after.StartAfter).toBe('day/d.json');
    },
  );

  it('refuses a continuation token it did not issue', async () => {
    // Prepare
    await s3.createBucket('paged-token');

    // Act
    const refused = await s3ErrorOf(
      s3.client.send(
        new ListObjectsV2Command({ Bucket: 'paged-token', ContinuationToken: 'bm9wZQ' }),
      ),
    );

    // Assess
    expect(refused).toMatchObject({ code: 'InvalidArgument', status: 400 });
  });
});
