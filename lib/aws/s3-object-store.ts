/**
 * The archive's ObjectStore on S3. Bodies stream through a sha256 hash on their way up; a body
 * that fits in one part goes up in one PutObject carrying its sha256 (metadata and S3
 * checksum); a larger one goes up as a multipart Upload and then gets its metadata by an
 * in-place CopyObject, because metadata must be sent before the bytes it describes.
 */
import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type {
  ObjectStore,
  PutObjectOptions,
  PutObjectResult,
  StoredObjectInfo,
} from '../archive/ports.ts';

/** Options of {@link createS3ObjectStore}. */
export interface S3ObjectStoreOptions {
  bucket: string;
  client?: S3Client;
  /**
   * Bodies up to this size go up in one PutObject; larger ones as multipart parts of this size.
   * Default 8 MiB (S3's minimum part is 5 MiB). Memory per put is about three parts.
   */
  partSize?: number;
}

/** Thrown when a body's length differs from the size the caller declared. */
export class ObjectSizeMismatchError extends Error {
  override readonly name = 'ObjectSizeMismatchError';
  readonly expected: number;
  readonly actual: number;
  constructor(key: string, expected: number, actual: number, options?: { cause?: unknown }) {
    super(`Object ${key}: expected ${expected} bytes, the body had ${actual}`, options);
    this.expected = expected;
    this.actual = actual;
  }
}

const SHA256_METADATA = 'sha256';
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const MIN_PART_SIZE = 5 * 1024 * 1024;

function isNotFound(error: unknown): boolean {
  if (error instanceof S3ServiceException) {
    return (
      error.name === 'NotFound' ||
      error.name === 'NoSuchKey' ||
      error.$metadata?.httpStatusCode === 404
    );
  }
  return error instanceof Error && (error.name === 'NotFound' || error.name === 'NoSuchKey');
}

/** Hashes and counts the bytes flowing through; fails at the end when the count is wrong. */
class DigestingStream extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  /** The size mismatch this stream failed with, if it did. */
  failure: ObjectSizeMismatchError | undefined;
  constructor(
    private readonly key: string,
    private readonly expectedSize: number | undefined,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (this.expectedSize !== undefined && this.bytes > this.expectedSize) {
      this.failure = new ObjectSizeMismatchError(this.key, this.expectedSize, this.bytes);
      callback(this.failure);
      return;
    }
    callback(null, chunk);
  }
  override _flush(callback: TransformCallback) {
    if (this.expectedSize !== undefined && this.bytes !== this.expectedSize) {
      this.failure = new ObjectSizeMismatchError(this.key, this.expectedSize, this.bytes);
      callback(this.failure);
      return;
    }
    callback();
  }
}

/** Reads up to `limit` bytes; says whether the stream ended within them. */
async function readHead(
  iterator: AsyncIterator<Buffer>,
  limit: number,
): Promise<{ chunks: Buffer[]; bytes: number; ended: boolean }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  while (bytes <= limit) {
    const next = await iterator.next();
    if (next.done) return { chunks, bytes, ended: true };
    chunks.push(next.value);
    bytes += next.value.length;
  }
  return { chunks, bytes, ended: false };
}

/** Creates the ObjectStore of one bucket. */
export function createS3ObjectStore(options: S3ObjectStoreOptions): ObjectStore {
  const client = options.client ?? new S3Client({});
  const Bucket = options.bucket;
  const partSize = Math.max(MIN_PART_SIZE, options.partSize ?? DEFAULT_PART_SIZE);

  const head = async (key: string): Promise<StoredObjectInfo | undefined> => {
    try {
      const result = await client.send(
        new HeadObjectCommand({ Bucket, Key: key, ChecksumMode: 'ENABLED' }),
      );
      const info: StoredObjectInfo = { size: Number(result.ContentLength ?? 0) };
      const sha256 = result.Metadata?.[SHA256_METADATA];
      if (sha256) info.sha256 = sha256;
      // A composite (per-part) checksum ends in -N and says nothing about the whole object.
      if (result.ChecksumSHA256 && !result.ChecksumSHA256.includes('-')) {
        if (result.ChecksumType === undefined || result.ChecksumType === 'FULL_OBJECT') {
          info.checksumSha256 = result.ChecksumSHA256;
        }
      }
      return info;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };

  const put = async (
    key: string,
    body: Readable | Uint8Array | string,
    putOptions: PutObjectOptions,
  ): Promise<PutObjectResult> => {
    const source =
      typeof body === 'string' || body instanceof Uint8Array
        ? Readable.from([typeof body === 'string' ? Buffer.from(body) : Buffer.from(body)])
        : body;
    const digest = new DigestingStream(key, putOptions.size);
    const piped = source.pipe(digest);
    source.once('error', (error) => digest.destroy(error));
    const abortSignal = putOptions.signal;
    const iterator = piped[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first = await readHead(iterator, partSize).catch((error: unknown) => {
      source.destroy();
      throw error;
    });
    if (first.ended) {
      const bytes = Buffer.concat(first.chunks, first.bytes);
      const sha256 = digest.hash.digest();
      await client.send(
        new PutObjectCommand({
          Bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.length,
          ContentType: putOptions.contentType,
          Metadata: { [SHA256_METADATA]: sha256.toString('hex') },
          ChecksumSHA256: sha256.toString('base64'),
        }),
        abortSignal ? { abortSignal } : undefined,
      );
      return { size: bytes.length, sha256: sha256.toString('hex') };
    }
    // Too large for one request: a multipart upload of the bytes read so far and the rest.
    const rest = Readable.from(
      (async function* () {
        yield* first.chunks;
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          yield next.value;
        }
      })(),
    );
    const upload = new Upload({
      client,
      partSize,
      queueSize: 2,
      leavePartsOnError: false,
      params: { Bucket, Key: key, Body: rest, ContentType: putOptions.contentType },
    });
    const onAbort = () => void upload.abort();
    abortSignal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
    } catch (error) {
      source.destroy();
      // The upload's own error may be that of aborting it; the body's fault is the cause.
      throw digest.failure ?? error;
    } finally {
      abortSignal?.removeEventListener('abort', onAbort);
    }
    const sha256 = digest.hash.digest('hex');
    // Metadata can only be set by rewriting the object (server side); S3 computes a full-object
    // SHA-256 checksum of the copy on the way.
    await client.send(
      new CopyObjectCommand({
        Bucket,
        Key: key,
        CopySource: `${Bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
        MetadataDirective: 'REPLACE',
        ContentType: putOptions.contentType,
        Metadata: { [SHA256_METADATA]: sha256 },
        ChecksumAlgorithm: 'SHA256',
      }),
      abortSignal ? { abortSignal } : undefined,
    );
    return { size: digest.bytes, sha256 };
  };

  const getText = async (key: string): Promise<string | undefined> => {
    try {
      const result = await client.send(new GetObjectCommand({ Bucket, Key: key }));
      return (await result.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };

  return { head, put, getText };
}
