/**
 * Object calls on a bucket with Object Lock, as S3 answers them: every PUT (or completed
 * multipart upload) adds a version carrying its retention and legal hold; DELETE without a version
 * id adds a delete marker; DELETE of a version is refused while it is retained or held; GET and
 * HEAD report the version's lock; retention and legal hold are read and changed per version.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Backend, forwardableHeaders } from './backend.ts';
import {
  assertDeletable,
  assertRetentionChange,
  type BucketLock,
  lockOfNewVersion,
  type ObjectVersion,
  parseLegalHoldXml,
  parseRetentionXml,
  type RequestedLock,
  versionHeaders,
} from './object-lock-rules.ts';
import { readText, relayAnswer, relayStream } from './relay.ts';
import { s3Errors, sendXml } from './s3-error.ts';
import { catalogPaths, type VersionCatalog } from './version-catalog.ts';

/** One object request on a locked bucket. */
export interface LockedObjectRequest {
  request: IncomingMessage;
  response: ServerResponse;
  bucket: string;
  key: string;
  query: URLSearchParams;
  lock: BucketLock;
  now: number;
}

/** S3's version ids are opaque URL-safe strings of 32 characters. */
function newVersionId(): string {
  return randomBytes(24).toString('base64url');
}

function bypassesGovernance(request: IncomingMessage): boolean {
  return (
    String(request.headers['x-amz-bypass-governance-retention'] ?? '').toLowerCase() === 'true'
  );
}

/** The version a call names: the current one without `versionId`. */
function chosenVersion(versions: ObjectVersion[], versionId: string | null): ObjectVersion {
  if (versionId === null) {
    const current = versions[0];
    if (!current) throw s3Errors.noSuchKey();
    if (current.deleteMarker) {
      throw s3Errors.noSuchKey({
        'x-amz-delete-marker': 'true',
        'x-amz-version-id': current.versionId,
      });
    }
    return current;
  }
  const version = versions.find((candidate) => candidate.versionId === versionId);
  if (!version) throw s3Errors.noSuchVersion();
  if (version.deleteMarker) {
    throw s3Errors.methodNotAllowed({
      'x-amz-delete-marker': 'true',
      'x-amz-version-id': version.versionId,
    });
  }
  return version;
}

const XMLNS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

/** The object calls of locked buckets. */
export class VersionedObjects {
  /** Locks asked for when multipart uploads were created, by upload id. */
  private readonly uploadLocks = new Map<string, RequestedLock>();

  private readonly backend: Backend;
  private readonly catalog: VersionCatalog;
  constructor(backend: Backend, catalog: VersionCatalog) {
    this.backend = backend;
    this.catalog = catalog;
  }

  /** PutObject: the body goes to the key, then is kept as a new version. */
  async put(call: LockedObjectRequest): Promise<void> {
    const { request, response, bucket, key, now } = call;
    const lock = lockOfNewVersion(request.headers, call.lock, now);
    const paths = catalogPaths(bucket);
    await this.catalog.serialize(bucket, key, async () => {
      const versions = await this.catalog.list(bucket, key);
      const answer = await this.backend.call(
        'PUT',
        paths.object(key),
        forwardableHeaders(request.headers),
        request,
      );
      if (answer.status !== 200) return relayAnswer(response, answer, request.method);
      const size =
        request.headers['x-amz-decoded-content-length'] ?? request.headers['content-length'];
      const version = await this.keepVersion(bucket, key, versions, lock, now, {
        etag: answer.headers.etag,
        size: size === undefined ? undefined : Number(size),
      });
      relayAnswer(response, answer, request.method, { 'x-amz-version-id': version.versionId });
    });
  }

  /** CreateMultipartUpload: the lock is checked now and given to the version at completion. */
  async createUpload(call: LockedObjectRequest): Promise<void> {
    const { request, response, bucket, key, now } = call;
    const lock = lockOfNewVersion(request.headers, call.lock, now);
    const answer = await this.backend.call(
      'POST',
      `${catalogPaths(bucket).object(key)}?uploads`,
      forwardableHeaders(request.headers),
      request,
    );
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(answer.body.toString('utf8'))?.[1];
    if (answer.status === 200 && uploadId) this.uploadLocks.set(uploadId, lock);
    relayAnswer(response, answer, request.method);
  }

  /** CompleteMultipartUpload: the assembled object becomes a new version. */
  async completeUpload(call: LockedObjectRequest): Promise<void> {
    const { request, response, bucket, key, query, now } = call;
    const uploadId = query.get('uploadId') ?? '';
    const lock = this.uploadLocks.get(uploadId) ?? lockOfNewVersion({}, call.lock, now);
    await this.catalog.serialize(bucket, key, async () => {
      const versions = await this.catalog.list(bucket, key);
      const answer = await this.backend.call(
        'POST',
        `${catalogPaths(bucket).object(key)}?${query}`,
        forwardableHeaders(request.headers),
        request,
      );
      const text = answer.body.toString('utf8');
      if (answer.status !== 200 || text.includes('<Error>')) {
        return relayAnswer(response, answer, request.method);
      }
      this.uploadLocks.delete(uploadId);
      const etag = /<ETag>([^<]+)<\/ETag>/.exec(text)?.[1]?.replaceAll('&quot;', '"');
      const version = await this.keepVersion(bucket, key, versions, lock, now, { etag });
      relayAnswer(response, answer, request.method, { 'x-amz-version-id': version.versionId });
    });
  }

  /** AbortMultipartUpload: forgets the upload's lock. */
  async abortUpload(call: LockedObjectRequest): Promise<void> {
    const { request, response, bucket, key, query } = call;
    this.uploadLocks.delete(query.get('uploadId') ?? '');
    const answer = await this.backend.call(
      'DELETE',
      `${catalogPaths(bucket).object(key)}?${query}`,
      forwardableHeaders(request.headers),
    );
    relayAnswer(response, answer, request.method);
  }

  /** Records the object now at the key as a new version, its bytes also kept under its id. */
  private async keepVersion(
    bucket: string,
    key: string,
    versions: ObjectVersion[],
    lock: RequestedLock,
    now: number,
    stored: { etag?: string | undefined; size?: number | undefined },
  ): Promise<ObjectVersion> {
    const paths = catalogPaths(bucket);
    const version: ObjectVersion = {
      versionId: newVersionId(),
      deleteMarker: false,
      lastModified: new Date(now).toISOString(),
      ...(stored.etag ? { etag: stored.etag } : {}),
      ...(stored.size !== undefined ? { size: stored.size } : {}),
      ...lock,
    };
    await this.backend.copy(paths.object(key), paths.body(key, version.versionId));
    await this.catalog.save(bucket, key, [version, ...versions]);
    return version;
  }

  /** GetObject and HeadObject, of the current version or the one named. */
  async read(call: LockedObjectRequest): Promise<void> {
    const { request, response, bucket, key, query } = call;
    const versionId = query.get('versionId');
    const version = chosenVersion(await this.settledVersions(bucket, key), versionId);
    const paths = catalogPaths(bucket);
    const rest = new URLSearchParams(query);
    rest.delete('versionId');
    const path = versionId === null ? paths.object(key) : paths.body(key, version.versionId);
    const answer = await this.backend.open(
      request.method ?? 'GET',
      rest.size > 0 ? `${path}?${rest}` : path,
      forwardableHeaders(request.headers),
    );
    relayStream(response, answer, versionHeaders(version));
  }

  /** DeleteObject: a delete marker, or the removal of one version when its lock allows. */
  async delete(call: LockedObjectRequest): Promise<void> {
    const { request, response, bucket, key, query, now } = call;
    const versionId = query.get('versionId');
    const paths = catalogPaths(bucket);
    await this.catalog.serialize(bucket, key, async () => {
      const versions = await this.catalog.list(bucket, key);
      if (versionId === null) {
        const marker: ObjectVersion = {
          versionId: newVersionId(),
          deleteMarker: true,
          lastModified: new Date(now).toISOString(),
        };
        await this.backend.delete(paths.object(key));
        await this.catalog.save(bucket, key, [marker, ...versions]);
        response.writeHead(204, {
          'x-amz-delete-marker': 'true',
          'x-amz-version-id': marker.versionId,
        });
        response.end();
        return;
      }
      const index = versions.findIndex((candidate) => candidate.versionId === versionId);
      const version = versions[index];
      if (version && !version.deleteMarker) {
        assertDeletable(version, now, bypassesGovernance(request));
        await this.backend.delete(paths.body(key, version.versionId));
      }
      if (version) {
        const rest = versions.filter((_, at) => at !== index);
        if (index === 0) await this.restoreCurrent(bucket, key, rest[0]);
        await this.catalog.save(bucket, key, rest);
      }
      response.writeHead(204, {
        'x-amz-version-id': versionId,
        ...(version?.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}),
      });
      response.end();
    });
  }

  /** After the current version went, the key shows the next one (or nothing, under a marker). */
  private async restoreCurrent(bucket: string, key: string, next: ObjectVersion | undefined) {
    const paths = catalogPaths(bucket);
    if (next && !next.deleteMarker) {
      await this.backend.copy(paths.body(key, next.versionId), paths.object(key));
    } else {
      await this.backend.delete(paths.object(key));
    }
  }

  /** GetObjectRetention. */
  async getRetention(call: LockedObjectRequest): Promise<void> {
    const { bucket, key, query } = call;
    const version = chosenVersion(await this.settledVersions(bucket, key), query.get('versionId'));
    if (!version.retention) throw s3Errors.noObjectLockConfiguration();
    sendXml(
      call.response,
      `<Retention ${XMLNS}><Mode>${version.retention.mode}</Mode><RetainUntilDate>${version.retention.retainUntil}</RetainUntilDate></Retention>`,
    );
  }

  /** PutObjectRetention: extend always; shorten or change mode only as the mode allows. */
  async putRetention(call: LockedObjectRequest): Promise<void> {
    const { request, now } = call;
    const next = parseRetentionXml(await readText(request));
    await this.changeVersion(call, (version) => {
      assertRetentionChange(version.retention, next, now, bypassesGovernance(request));
      return { ...version, retention: next };
    });
  }

  /** GetObjectLegalHold. */
  async getLegalHold(call: LockedObjectRequest): Promise<void> {
    const { bucket, key, query } = call;
    const version = chosenVersion(await this.settledVersions(bucket, key), query.get('versionId'));
    if (!version.legalHold) throw s3Errors.noObjectLockConfiguration();
    sendXml(call.response, `<LegalHold ${XMLNS}><Status>${version.legalHold}</Status></LegalHold>`);
  }

  /** PutObjectLegalHold: anyone allowed to may place or lift it at any time. */
  async putLegalHold(call: LockedObjectRequest): Promise<void> {
    const status = parseLegalHoldXml(await readText(call.request));
    await this.changeVersion(call, (version) => ({ ...version, legalHold: status }));
  }

  /** The key's versions once the changes begun before this read have finished. */
  private async settledVersions(bucket: string, key: string): Promise<ObjectVersion[]> {
    await this.catalog.settled(bucket, key);
    return this.catalog.list(bucket, key);
  }

  private async changeVersion(
    call: LockedObjectRequest,
    change: (version: ObjectVersion) => ObjectVersion,
  ): Promise<void> {
    const { response, bucket, key, query } = call;
    await this.catalog.serialize(bucket, key, async () => {
      const versions = await this.catalog.list(bucket, key);
      const version = chosenVersion(versions, query.get('versionId'));
      const changed = change(version);
      await this.catalog.save(
        bucket,
        key,
        versions.map((candidate) => (candidate === version ? changed : candidate)),
      );
      response.writeHead(200, { 'content-length': '0' });
      response.end();
    });
  }
}
