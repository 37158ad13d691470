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

  beforeAll(async () => {
    s3 = await startS3rver();
    await s3.createBucket('objects');
    store = createS3ObjectStore({
      bucket: 'objects',
      client: s3.client,
      partSize: 5 * 1024 * 1024,
    });
  });

  afterAll(async () => {
    await s3.stop();
  });

  it('streams a multipart body up and records its sha256 as metadata', async () => {
    // Prepare
    const bytes = randomBytes(11 * 1024 * 1024 + 17);
    const expected = createHash('sha256').update(bytes).digest('hex');

    // Act
    const written = await store.put('big/object.bin', chunked(bytes), {
      contentType: 'application/pdf',
      size: bytes.length,
    });
    const info = await store.head('big/object.bin');

    // Assess
    expect(written).toEqual({ size: bytes.length, sha256: expected });
    expect(info?.size).toBe(bytes.length);
    expect(info?.sha256).toBe(expected);
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

  it('rejects a body shorter than declared and leaves no object', async () => {
    // Prepare
    const bytes = randomBytes(6 * 1024 * 1024);

    // Act
    const attempt = store.put('short/object.bin', chunked(bytes), { size: bytes.length + 1 });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ObjectSizeMismatchError);
    expect(await store.head('short/object.bin')).toBeUndefined();
  });
});
