/**
 * The archive's ObjectStore on S3. Bodies stream straight through a sha256 hash into one
 * PutObject of known length: nothing is buffered, and download and upload overlap. The sha256
 * goes into message.json (written last), not into object metadata, which would have to be sent
 * before the bytes it describes. Where the client computes request checksums (real S3), the
 * PUT asks S3 for a full-object SHA-256 checksum, computed in a trailer as the bytes stream, which
 * HeadObject returns later and which must equal the hash we computed. Only bodies of unknown
 * length or above S3's single-PUT limit go up as multipart. With a retention configured, every
 * object is written with its Object Lock retention (mode and retain-until date on the PutObject or
 * CreateMultipartUpload itself, so no object is ever stored unprotected), and HEAD reports it.
 */
import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type {
  ListedObject,
  ObjectRetention,
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
   * Part size of the multipart uploads (bodies above `singlePutLimit` or of unknown length).
   * Default 64 MiB; at least S3's minimum of 5 MiB.
   */
  partSize?: number;
  /**
   * Bodies of known length up to this size stream up in one PutObject. Default and maximum:
   * S3's single-PUT limit, 5 GiB.
   */
  singlePutLimit?: number;
  /**
   * Object Lock retention every object is written with: retained until `days` after the put.
   * Absent: objects are written without, and the bucket's default retention (if any) applies.
   */
  retention?: { mode: ObjectRetention['mode']; days: number };
  /** The clock retain-until dates count from (milliseconds); default `Date.now`. */
  now?: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The Object Lock parameters of a PutObject or CreateMultipartUpload, when a retention is set. */
function lockParameters(retention: ObjectRetention | undefined) {
  return retention
    ? { ObjectLockMode: retention.mode, ObjectLockRetainUntilDate: new Date(retention.retainUntil) }
    : {};
}

/** What HeadObject says of the object's version and Object Lock. */
function lockInfo(result: {
  VersionId?: string | undefined;
  ObjectLockMode?: string | undefined;
  ObjectLockRetainUntilDate?: Date | undefined;
  ObjectLockLegalHoldStatus?: string | undefined;
}): Pick<StoredObjectInfo, 'versionId' | 'retention' | 'legalHold'> {
  const info: Pick<StoredObjectInfo, 'versionId' | 'retention' | 'legalHold'> = {};
  if (result.VersionId && result.VersionId !== 'null') info.versionId = result.VersionId;
  const mode = result.ObjectLockMode;
  if ((mode === 'GOVERNANCE' || mode === 'COMPLIANCE') && result.ObjectLockRetainUntilDate) {
    info.retention = { mode, retainUntil: result.ObjectLockRetainUntilDate.toISOString() };
  }
  if (result.ObjectLockLegalHoldStatus === 'ON') info.legalHold = true;
  return info;
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

/** Thrown when S3's checksum of what it stored differs from the sha256 of what we sent. */
export class ObjectChecksumMismatchError extends Error {
  override readonly name = 'ObjectChecksumMismatchError';
  constructor(key: string, options?: { cause?: unknown }) {
    super(`Object ${key}: S3's SHA-256 checksum differs from the bytes sent`, options);
  }
}

const SHA256_METADATA = 'sha256';
const MiB = 1024 * 1024;
const DEFAULT_PART_SIZE = 64 * MiB;
const MIN_PART_SIZE = 5 * MiB;
const MAX_SINGLE_PUT = 5 * 1024 * MiB;

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

/**
 * Hashes and counts the bytes flowing through; fails when there are more or fewer than said. The
 * chunk that completes the declared size is held back until the body ends: a store answers a PUT
 * once it has Content-Length bytes, so a longer body must never deliver all of them.
 */
class DigestingStream extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  /** The size mismatch this stream failed with, if it did. */
  failure: ObjectSizeMismatchError | undefined;
  private heldBack: Buffer | undefined;
  constructor(
    private readonly key: string,
    private readonly expectedSize: number | undefined,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.bytes += chunk.length;
    if (this.expectedSize !== undefined && this.bytes > this.expectedSize) {
      this.failure = new ObjectSizeMismatchError(this.key, this.expectedSize, this.bytes);
      callback(this.failure);
      return;
    }
    this.hash.update(chunk);
    if (this.bytes === this.expectedSize) {
      this.heldBack = chunk;
      callback();
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
    callback(null, this.heldBack);
  }
}

/**
 * Yields the next `length` bytes of `iterator`, keeping what overshoots in `pending` for the
 * next part; fails when the body ends first.
 */
async function* takeBytes(
  iterator: AsyncIterator<Buffer>,
  pending: Buffer[],
  length: number,
): AsyncGenerator<Buffer> {
  let left = length;
  while (left > 0) {
    let chunk = pending.shift();
    if (!chunk) {
      const next = await iterator.next();
      if (next.done) return;
      chunk = next.value;
    }
    if (chunk.length > left) {
      pending.unshift(chunk.subarray(left));
      chunk = chunk.subarray(0, left);
    }
    left -= chunk.length;
    yield chunk;
  }
}

/** Creates the ObjectStore of one bucket. */
export function createS3ObjectStore(options: S3ObjectStoreOptions): ObjectStore {
  const client = options.client ?? new S3Client({});
  const Bucket = options.bucket;
  const partSize = Math.max(MIN_PART_SIZE, options.partSize ?? DEFAULT_PART_SIZE);
  const singlePutLimit = Math.min(MAX_SINGLE_PUT, options.singlePutLimit ?? MAX_SINGLE_PUT);
  // A client told to send checksums only when required (s3rver predates them) gets none; on S3
  // the PUT asks for SHA-256, which S3 keeps as the object's full-object checksum.
  let wantsChecksum: Promise<boolean> | undefined;
  const checksumWanted = () => {
    wantsChecksum ??= (async () => {
      const setting = client.config.requestChecksumCalculation;
      const value = typeof setting === 'function' ? await setting() : setting;
      return value !== 'WHEN_REQUIRED';
    })();
    return wantsChecksum;
  };
  const sendOptions = (signal: AbortSignal | undefined) =>
    signal ? { abortSignal: signal } : undefined;
  const now = options.now ?? Date.now;
  /** The retention of an object put now, when one is configured. */
  const retentionFromNow = (): ObjectRetention | undefined =>
    options.retention && {
      mode: options.retention.mode,
      retainUntil: new Date(now() + options.retention.days * DAY_MS).toISOString(),
    };

  const head = async (key: string): Promise<StoredObjectInfo | undefined> => {
    try {
      const result = await client.send(
        new HeadObjectCommand({ Bucket, Key: key, ChecksumMode: 'ENABLED' }),
      );
      const info: StoredObjectInfo = {
        size: Number(result.ContentLength ?? 0),
        ...lockInfo(result),
      };
      if (result.ETag) info.etag = result.ETag;
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

  /** One PutObject of known length; the body streams, S3 checksums it where asked. */
  const putOnce = async (
    key: string,
    body: Readable | Buffer,
    size: number,
    sha256: () => Buffer,
    putOptions: PutObjectOptions,
    retention: ObjectRetention | undefined,
  ): Promise<PutObjectResult> => {
    const checksum = await checksumWanted();
    const result = await client.send(
      new PutObjectCommand({
        Bucket,
        Key: key,
        Body: body,
        ContentLength: size,
        ContentType: putOptions.contentType,
        ...(checksum ? { ChecksumAlgorithm: 'SHA256' as const } : {}),
        ...lockParameters(retention),
      }),
      sendOptions(putOptions.signal),
    );
    const digest = sha256();
    if (result.ChecksumSHA256 && result.ChecksumSHA256 !== digest.toString('base64')) {
      throw new ObjectChecksumMismatchError(key);
    }
    return {
      size,
      sha256: digest.toString('hex'),
      ...(result.ETag ? { etag: result.ETag } : {}),
      ...(result.VersionId ? { versionId: result.VersionId } : {}),
      ...(retention ? { retention } : {}),
    };
  };

  /** Known length above the single-PUT limit: parts streamed straight into UploadPart. */
  const putParts = async (
    key: string,
    iterator: AsyncIterator<Buffer>,
    size: number,
    putOptions: PutObjectOptions,
    retention: ObjectRetention | undefined,
  ): Promise<{ etag?: string | undefined; versionId?: string | undefined }> => {
    const created = await client.send(
      new CreateMultipartUploadCommand({
        Bucket,
        Key: key,
        ContentType: putOptions.contentType,
        ...lockParameters(retention),
      }),
      sendOptions(putOptions.signal),
    );
    const UploadId = created.UploadId;
    if (!UploadId) throw new Error(`S3 started no multipart upload for ${key}`);
    const parts: Array<{ ETag: string | undefined; PartNumber: number }> = [];
    const pending: Buffer[] = [];
    try {
      for (let offset = 0, PartNumber = 1; offset < size; offset += partSize, PartNumber += 1) {
        const length = Math.min(partSize, size - offset);
        const partBody = Readable.from(takeBytes(iterator, pending, length));
        // The body's failure already aborts the request (see put); this only marks it handled.
        partBody.once('error', () => undefined);
        const answer = await client.send(
          new UploadPartCommand({
            Bucket,
            Key: key,
            UploadId,
            PartNumber,
            Body: partBody,
            ContentLength: length,
          }),
          sendOptions(putOptions.signal),
        );
        parts.push({ ETag: answer.ETag, PartNumber });
      }
      // Draining the rest lets the digest fail on a body longer or shorter than declared.
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        // A longer body fails inside the digest before it gets here.
      }
      const completed = await client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
        sendOptions(putOptions.signal),
      );
      return { etag: completed.ETag, versionId: completed.VersionId };
    } catch (error) {
      await client
        .send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId }))
        .catch(() => undefined);
      throw error;
    }
  };

  const put = async (
    key: string,
    body: Readable | Uint8Array | string,
    putOptions: PutObjectOptions,
  ): Promise<PutObjectResult> => {
    const retention = retentionFromNow();
    if (typeof body === 'string' || body instanceof Uint8Array) {
      const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
      if (putOptions.size !== undefined && bytes.length !== putOptions.size) {
        throw new ObjectSizeMismatchError(key, putOptions.size, bytes.length);
      }
      return putOnce(
        key,
        bytes,
        bytes.length,
        () => createHash('sha256').update(bytes).digest(),
        putOptions,
        retention,
      );
    }
    const digest = new DigestingStream(key, putOptions.size);
    // The HTTP client pipes the body into the request and would wait for ever on a body that
    // failed: a failing body aborts the request, and the caller's signal does too.
    const requestAborter = new AbortController();
    const onCallerAbort = () => requestAborter.abort(putOptions.signal?.reason);
    putOptions.signal?.addEventListener('abort', onCallerAbort, { once: true });
    if (putOptions.signal?.aborted) onCallerAbort();
    digest.once('error', (error) => requestAborter.abort(error));
    body.once('error', (error) => digest.destroy(error));
    const piped = body.pipe(digest);
    const size = putOptions.size;
    const requestOptions = { ...putOptions, signal: requestAborter.signal };
    try {
      if (size !== undefined && size <= singlePutLimit) {
        const hash = () => digest.hash.digest();
        return await putOnce(key, piped, size, hash, requestOptions, retention);
      }
      let stored: { etag?: string | undefined; versionId?: string | undefined };
      if (size !== undefined) {
        const parts = piped[Symbol.asyncIterator]();
        stored = await putParts(key, parts, size, requestOptions, retention);
      } else {
        // Unknown length, which RingCentral's content answers hardly ever have: lib-storage
        // buffers one part at a time and sends a small body as one PutObject.
        const upload = new Upload({
          client,
          partSize,
          queueSize: 1,
          leavePartsOnError: false,
          params: {
            Bucket,
            Key: key,
            Body: piped,
            ContentType: putOptions.contentType,
            ...lockParameters(retention),
          },
        });
        const onAbort = () => void upload.abort();
        requestAborter.signal.addEventListener('abort', onAbort, { once: true });
        const done = await upload.done();
        stored = { etag: done.ETag, versionId: done.VersionId };
      }
      return {
        size: digest.bytes,
        sha256: digest.hash.digest('hex'),
        ...(stored.etag ? { etag: stored.etag } : {}),
        ...(stored.versionId ? { versionId: stored.versionId } : {}),
        ...(retention ? { retention } : {}),
      };
    } catch (error) {
      body.destroy();
      digest.destroy();
      // The request's own error may be that of its body failing; the body's fault is the cause.
      throw digest.failure ?? error;
    } finally {
      putOptions.signal?.removeEventListener('abort', onCallerAbort);
    }
  };

  const digestObject = async (
    key: string,
    digestOptions: { signal?: AbortSignal } = {},
  ): Promise<PutObjectResult | undefined> => {
    try {
      const result = await client.send(
        new GetObjectCommand({ Bucket, Key: key }),
        sendOptions(digestOptions.signal),
      );
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of (result.Body ?? Readable.from([])) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
      }
      return { size, sha256: hash.digest('hex'), ...(result.ETag ? { etag: result.ETag } : {}) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
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

  const list = async (
    prefix: string,
    listOptions: { maxPages: number; signal?: AbortSignal },
  ): Promise<ListedObject[] | undefined> => {
    const listed: ListedObject[] = [];
    let ContinuationToken: string | undefined;
    for (let page = 0; page < listOptions.maxPages; page += 1) {
      const result = await client.send(
        new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }),
        sendOptions(listOptions.signal),
      );
      for (const item of result.Contents ?? []) {
        if (item.Key === undefined) continue;
        listed.push({
          key: item.Key,
          size: Number(item.Size ?? 0),
          ...(item.ETag ? { etag: item.ETag } : {}),
        });
      }
      if (!result.IsTruncated) return listed;
      ContinuationToken = result.NextContinuationToken;
    }
    return undefined;
  };

  return { head, put, digest: digestObject, getText, list };
}
