import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../../lib/archive/ports.ts';
import { createS3ObjectStore, ObjectSizeMismatchError } from '../../../lib/aws/s3-object-store.ts';
import { type LocalS3, startS3rver } from '../../support/s3rver.ts';

function chunked(bytes: Buffer, size = 256 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < bytes.length; offset += size) {
        yield bytes.subarray(offset, offset + size);
      }
    })(),
  );
}

describe('the S3 object store', () => {
  let s3: LocalS3;
  let store: ObjectStore;
  let multipartStore: ObjectStore;

  beforeAll(async () => {
    s3 = await startS3rver();
    await s3.createBucket('objects');
    store = createS3ObjectStore({ bucket: 'objects', client: s3.client });
    // Parts of S3's minimum size, and multipart above 6 MiB, so a test body needs a few parts.
    multipartStore = createS3ObjectStore({
      bucket: 'objects',
      client: s3.client,
      partSize: 5 * 1024 * 1024,
      singlePutLimit: 6 * 1024 * 1024,
    });
  });

  afterAll(async () => {
    await s3.stop();
  });

  it('streams a body of known length up in one request and returns its sha256 and etag', async () => {
    // Prepare
    const bytes = randomBytes(11 * 1024 * 1024 + 17);
    const expected = createHash('sha256').update(bytes).digest('hex');
    const md5 = createHash('md5').update(bytes).digest('hex');

    // Act
    const written = await store.put('big/object.bin', chunked(bytes), {
      contentType: 'application/pdf',
      size: bytes.length,
    });
    const info = await store.head('big/object.bin');
    const read = await store.digest('big/object.bin');

    // Assess
    expect(written).toEqual({ size: bytes.length, sha256: expected, etag: `"${md5}"` });
    expect(info).toEqual({ size: bytes.length, etag: written.etag });
    expect(read).toEqual(written);
  });

  it('streams a body above the single-PUT limit up in parts', async () => {
    // Prepare
    const bytes = randomBytes(13 * 1024 * 1024 + 5);
    const expected = createHash('sha256').update(bytes).digest('hex');

    // Act
    const written = await multipartStore.put('parts/object.bin', chunked(bytes), {
      size: bytes.length,
    });
    const info = await multipartStore.head('parts/object.bin');
    const read = await multipartStore.digest('parts/object.bin');

    // Assess
    expect(written.size).toBe(bytes.length);
    expect(written.sha256).toBe(expected);
    expect(written.etag).toMatch(/^".+"$/);
    expect(info?.size).toBe(bytes.length);
    expect(read?.sha256).toBe(expected);
  });

  it('stores a body of unknown length whole', async () => {
    // Prepare
    const bytes = randomBytes(7 * 1024 * 1024 + 3);

    // Act
    const written = await multipartStore.put('unknown/object.bin', chunked(bytes), {});
    const read = await multipartStore.digest('unknown/object.bin');

    // Assess
    expect(written.size).toBe(bytes.length);
    expect(written.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(read?.sha256).toBe(written.sha256);
    expect(await multipartStore.digest('unknown/absent.bin')).toBeUndefined();
  });

  it('stores small bodies in one request and reads text back', async () => {
    // Prepare
    const text = '{"schemaVersion":1}\n';

    // Act
    const written = await store.put('small/message.json', text, {
      contentType: 'application/json',
    });
    const read = await store.getText('small/message.json');
    const absent = await store.getText('small/absent.json');

    // Assess
    expect(written.sha256).toBe(createHash('sha256').update(text).digest('hex'));
    expect(read).toBe(text);
    expect(absent).toBeUndefined();
    expect(await store.head('small/absent.json')).toBeUndefined();
  });

  // A longer body declared one chunk short is the subtle case: every declared byte arrives, and
  // a store answers a PUT once it has them. s3rver (unlike S3) keeps what an aborted PUT sent, so
  // what may remain is an object of another size, which nothing takes for the attachment.
  it.each([
    ['one request', 'short/one.bin', -1],
    ['one request', 'long/one.bin', 256 * 1024],
    ['parts', 'short/parts.bin', -1],
    ['parts', 'long/parts.bin', 256 * 1024],
  ] as const)(
    'rejects a body longer or shorter than declared (%s) and leaves no object of the declared size',
    async (way, key, delta) => {
      // Prepare
      const bytes = randomBytes(7 * 1024 * 1024);
      const target = way === 'parts' ? multipartStore : store;
      const declared = bytes.length - delta;

      // Act
      const attempt = target.put(key, chunked(bytes), { size: declared });

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(ObjectSizeMismatchError);
      const left = await target.head(key);
      expect(left?.size ?? 'none').not.toBe(declared);
      if (way === 'parts') expect(left).toBeUndefined();
    },
  );
});
