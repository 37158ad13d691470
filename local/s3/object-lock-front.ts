/**
 * The local S3: s3rver behind a small front that adds what s3rver lacks and the archive relies
 * on, S3 Object Lock with the versioning it implies. A bucket created with
 * `x-amz-bucket-object-lock-enabled: true` (CreateBucket's ObjectLockEnabledForBucket) is versioned
 * and locked, as on S3; every other bucket, and every call the front does not take over, goes to
 * s3rver unchanged, signature included, so an unlocked bucket behaves exactly as s3rver always did.
 * Path-style addressing only (every client here uses it).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Backend, forwardableHeaders } from './backend.ts';
import { listObjectsV2 } from './list-objects-v2.ts';
import {
  type BucketLock,
  bucketLockXml,
  hasLockHeaders,
  parseBucketLockXml,
} from './object-lock-rules.ts';
import { readText, relayAnswer, relayStream } from './relay.ts';
import { S3Error, s3Errors, sendS3Error, sendXml } from './s3-error.ts';
import { VersionCatalog } from './version-catalog.ts';
import { listObjectVersions } from './version-listing.ts';
import { type LockedObjectRequest, VersionedObjects } from './versioned-objects.ts';

/** Options of {@link startObjectLockFront}. */
export interface ObjectLockFrontOptions {
  /** s3rver's endpoint, `http://127.0.0.1:port`. */
  backend: string;
  /** Port to listen on; default 0 (a free one). */
  port?: number;
  /** Milliseconds since the epoch: retention is judged against it (tests move it). */
  clock?: () => number;
}

/**
 * A write the front refuses with S3's 403 AccessDenied, as a bucket policy's explicit Deny of
 * s3:PutObject on these keys makes S3 do: the fault tests' way of failing one write over HTTP.
 */
export interface WriteDenial {
  bucket: string;
  /** Keys starting with this are refused (PUT, and the POSTs of a multipart upload). */
  keyPrefix: string;
}

/** A running front. */
export interface ObjectLockFront {
  endpoint: string;
  /**
   * Creates `bucket` with Object Lock (kept when it exists, and its lock turned on when it had
   * none, as a versioned S3 bucket may) and sets its default retention.
   */
  createLockedBucket(bucket: string, lock: BucketLock): Promise<void>;
  /** Refuses writes to the keys `denial` names until the returned function is called. */
  denyWrites(denial: WriteDenial): () => void;
  stop(): Promise<void>;
}

const LOCK_SUBRESOURCES = ['retention', 'legal-hold'];

function parse(request: IncomingMessage) {
  const url = new URL(request.url ?? '/', 'http://local');
  const [bucketPart = '', ...keyParts] = url.pathname.slice(1).split('/');
  // The SDK names its operation in `x-id`; it says nothing S3 acts on.
  url.searchParams.delete('x-id');
  return {
    bucket: decodeURIComponent(bucketPart),
    key: decodeURIComponent(keyParts.join('/')),
    hasKey: keyParts.length > 0 && keyParts.join('/') !== '',
    query: url.searchParams,
  };
}

/** Starts the front on 127.0.0.1. */
export async function startObjectLockFront(
  options: ObjectLockFrontOptions,
): Promise<ObjectLockFront> {
  const backendUrl = new URL(options.backend);
  const backend = new Backend(backendUrl.hostname, Number(backendUrl.port));
  const catalog = new VersionCatalog(backend);
  await catalog.open();
  const objects = new VersionedObjects(backend, catalog);
  const clock = options.clock ?? Date.now;
  const denials = new Set<WriteDenial>();
  const isDenied = (method: string | undefined, bucket: string, key: string) =>
    (method === 'PUT' || method === 'POST') &&
    [...denials].some((denial) => denial.bucket === bucket && key.startsWith(denial.keyPrefix));

  /** Everything the front does not take over: to s3rver as it came. */
  const passThrough = async (request: IncomingMessage, response: ServerResponse) => {
    const answer = await backend.open(
      request.method ?? 'GET',
      request.url ?? '/',
      request.headers,
      request,
    );
    relayStream(response, answer);
  };

  const bucketCall = async (
    request: IncomingMessage,
    response: ServerResponse,
    bucket: string,
    query: URLSearchParams,
    lock: BucketLock | undefined,
  ): Promise<void> => {
    const method = request.method;
    if (method === 'PUT' && query.size === 0) {
      const locked = String(request.headers['x-amz-bucket-object-lock-enabled']).toLowerCase();
      const answer = await backend.call(
        'PUT',
        request.url ?? '/',
        forwardableHeaders(request.headers),
        request,
      );
      if (answer.status === 200 && locked === 'true') await catalog.setBucketLock(bucket, {});
      return relayAnswer(response, answer, method);
    }
    if (query.has('object-lock')) {
      if (method === 'GET') {
        if (!lock) throw s3Errors.bucketLockNotFound();
        return sendXml(response, bucketLockXml(lock));
      }
      if (method === 'PUT') {
        const next = parseBucketLockXml(await readText(request));
        if (!lock) throw s3Errors.versioningRequired();
        await catalog.setBucketLock(bucket, next);
        response.writeHead(200, { 'content-length': '0' });
        return void response.end();
      }
    }
    if (lock && query.has('versioning') && method === 'GET') {
      return sendXml(
        response,
        '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>',
      );
    }
    if (lock && query.has('versions') && method === 'GET') {
      return listObjectVersions(catalog, response, bucket, query);
    }
    if (method === 'GET' && query.get('list-type') === '2') {
      return listObjectsV2(backend, response, bucket, query);
    }
    // A batch delete, versioning changes or deleting the bucket (whose
    // versions s3rver cannot see) would bypass the catalogue: refused, not faked.
    const bypassesCatalog =
      query.has('delete') || query.has('versioning') || (method === 'DELETE' && query.size === 0);
    if (lock && bypassesCatalog) throw s3Errors.notImplemented();
    return passThrough(request, response);
  };

  const lockedObjectCall = (call: LockedObjectRequest): Promise<void> => {
    const { request, query } = call;
    const method = request.method;
    if (query.has('retention')) {
      return method === 'PUT' ? objects.putRetention(call) : objects.getRetention(call);
    }
    if (query.has('legal-hold')) {
      return method === 'PUT' ? objects.putLegalHold(call) : objects.getLegalHold(call);
    }
    if (method === 'POST' && query.has('uploads')) return objects.createUpload(call);
    if (method === 'POST' && query.has('uploadId')) return objects.completeUpload(call);
    if (method === 'DELETE' && query.has('uploadId')) return objects.abortUpload(call);
    if (query.has('uploadId')) return passThrough(request, call.response);
    if (method === 'PUT' && request.headers['x-amz-copy-source'] !== undefined) {
      throw s3Errors.notImplemented();
    }
    if (method === 'PUT' && query.size === 0) return objects.put(call);
    if ((method === 'GET' || method === 'HEAD') && [...query.keys()].every(isReadOption)) {
      return objects.read(call);
    }
    if (method === 'DELETE' && [...query.keys()].every((name) => name === 'versionId')) {
      return objects.delete(call);
    }
    return passThrough(request, call.response);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const { bucket, key, hasKey, query } = parse(request);
    if (bucket === '') return passThrough(request, response);
    const lock = await catalog.bucketLock(bucket);
    if (!hasKey) return bucketCall(request, response, bucket, query, lock);
    if (isDenied(request.method, bucket, key)) throw s3Errors.accessDenied();
    if (lock) {
      return lockedObjectCall({ request, response, bucket, key, query, lock, now: clock() });
    }
    const asksForLock =
      LOCK_SUBRESOURCES.some((name) => query.has(name)) ||
      (request.method !== 'GET' && request.method !== 'HEAD' && hasLockHeaders(request.headers));
    if (asksForLock) throw s3Errors.bucketMissingLock();
    return passThrough(request, response);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      request.resume();
      if (response.headersSent) return void response.destroy();
      const s3Error =
        error instanceof S3Error
          ? error
          : new S3Error(
              'InternalError',
              500,
              'We encountered an internal error. Please try again.',
            );
      sendS3Error(response, s3Error, {
        method: request.method,
        resource: new URL(request.url ?? '/', 'http://local').pathname,
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    createLockedBucket: async (bucket, lock) => {
      const answer = await backend.call('PUT', `/${encodeURIComponent(bucket)}`, {
        'content-length': '0',
      });
      if (answer.status !== 200 && answer.status !== 409) {
        throw new Error(`s3rver could not create bucket ${bucket}: ${answer.status}`);
      }
      await catalog.setBucketLock(bucket, lock);
    },
    denyWrites: (denial) => {
      denials.add(denial);
      return () => void denials.delete(denial);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Query parameters of GetObject and HeadObject that do not change what is read. */
function isReadOption(name: string): boolean {
  return name === 'versionId' || name === 'partNumber' || name.startsWith('response-');
}
