/**
 * What s3rver cannot hold: which buckets have Object Lock, and each key's versions with their
 * retention and legal hold. Kept as JSON objects in one internal s3rver bucket, so they survive a
 * restart of `npm start` like the objects do, and cached here (the stand-in is the only writer).
 * Every version's bytes live in the same internal bucket under its version id; the current
 * version's bytes also stay at the key itself, where s3rver lists them and where the archive can be
 * browsed on disk.
 */
import { type Backend, keyPath } from './backend.ts';
import type { BucketLock, ObjectVersion } from './object-lock-rules.ts';
import { unescapeXml } from './s3-error.ts';

/** The internal bucket; not a name the product uses. */
export const CATALOG_BUCKET = 'object-lock-stand-in';

/** S3's version id of an object written before versioning was on. */
export const NULL_VERSION = 'null';

/** Paths in s3rver of one bucket's objects and their catalogue entries. */
export function catalogPaths(bucket: string) {
  const root = `/${CATALOG_BUCKET}/${encodeURIComponent(bucket)}`;
  return {
    lock: `${root}/bucket-lock.json`,
    versions: (key: string) => `${root}/versions/${keyPath(key)}`,
    body: (key: string, versionId: string) =>
      `${root}/bodies/${keyPath(key)}/${encodeURIComponent(versionId)}`,
    object: (key: string) => `/${encodeURIComponent(bucket)}/${keyPath(key)}`,
  };
}

/** The catalogue; one per stand-in. */
export class VersionCatalog {
  private readonly locks = new Map<string, BucketLock | null>();
  private readonly versions = new Map<string, ObjectVersion[]>();
  private readonly queues = new Map<string, Promise<unknown>>();

  private readonly backend: Backend;
  constructor(backend: Backend) {
    this.backend = backend;
  }

  /** Creates the internal bucket (kept when it exists). */
  async open(): Promise<void> {
    const answer = await this.backend.call('PUT', `/${CATALOG_BUCKET}`, { 'content-length': '0' });
    if (answer.status !== 200 && answer.status !== 409) {
      throw new Error(`s3rver could not create ${CATALOG_BUCKET}: ${answer.status}`);
    }
  }

  /** The bucket's Object Lock, or undefined when it was created without. */
  async bucketLock(bucket: string): Promise<BucketLock | undefined> {
    if (bucket === CATALOG_BUCKET) return undefined;
    const cached = this.locks.get(bucket);
    if (cached !== undefined) return cached ?? undefined;
    const stored = await this.readJson<BucketLock>(catalogPaths(bucket).lock);
    this.locks.set(bucket, stored ?? null);
    return stored;
  }

  async setBucketLock(bucket: string, lock: BucketLock | undefined): Promise<void> {
    const path = catalogPaths(bucket).lock;
    if (lock) await this.writeJson(path, lock);
    else await this.backend.delete(path);
    this.locks.set(bucket, lock ?? null);
  }

  /**
   * The key's versions, newest first. An object written before the bucket had a catalogue entry
   * becomes the `null` version, without retention, as S3 treats objects older than versioning.
   */
  async list(bucket: string, key: string): Promise<ObjectVersion[]> {
    const id = `${bucket}/${key}`;
    const cached = this.versions.get(id);
    if (cached) return cached;
    const paths = catalogPaths(bucket);
    let stored = await this.readJson<ObjectVersion[]>(paths.versions(key));
    if (!stored) {
      stored = [];
      const head = await this.backend.call('HEAD', paths.object(key));
      if (head.status === 200) {
        await this.backend.copy(paths.object(key), paths.body(key, NULL_VERSION));
        stored.push({
          versionId: NULL_VERSION,
          deleteMarker: false,
          lastModified: new Date(String(head.headers['last-modified'])).toISOString(),
          ...(head.headers.etag ? { etag: head.headers.etag } : {}),
          size: Number(head.headers['content-length'] ?? 0),
        });
      }
    }
    this.versions.set(id, stored);
    return stored;
  }

  async save(bucket: string, key: string, versions: ObjectVersion[]): Promise<void> {
    await this.writeJson(catalogPaths(bucket).versions(key), versions);
    this.versions.set(`${bucket}/${key}`, versions);
  }

  /**
   * Every key of `bucket` under `prefix` that has versions (or delete markers) or a current
   * object, sorted. Reads every listing page: a local archive is small enough.
   */
  async keys(bucket: string, prefix: string): Promise<string[]> {
    const catalogued = `${bucket}/versions/`;
    const [current, versioned] = await Promise.all([
      this.listBackend(bucket, prefix),
      this.listBackend(CATALOG_BUCKET, `${catalogued}${prefix}`),
    ]);
    const all = new Set([...current, ...versioned.map((key) => key.slice(catalogued.length))]);
    return [...all].sort();
  }

  private async listBackend(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let marker = '';
    for (;;) {
      const query = new URLSearchParams({ prefix, marker, 'max-keys': '1000' });
      const answer = await this.backend.call('GET', `/${encodeURIComponent(bucket)}?${query}`);
      if (answer.status !== 200)
        throw new Error(`s3rver could not list ${bucket}: ${answer.status}`);
      const text = answer.body.toString('utf8');
      const page = [...text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) =>
        unescapeXml(match[1] ?? ''),
      );
      keys.push(...page);
      const last = page.at(-1);
      if (!text.includes('<IsTruncated>true</IsTruncated>') || last === undefined) return keys;
      marker = last;
    }
  }

  /**
   * Resolves once every change of the key begun so far has finished. A read waits for it, as S3
   * reads after a write completes: a PUT's bytes reach s3rver (and its listings) before the
   * version is catalogued, and a read in between would otherwise find no version.
   */
  async settled(bucket: string, key: string): Promise<void> {
    await this.queues.get(`${bucket}/${key}`);
  }

  /** Runs `work` after every earlier change of the same key: one change of a key at a time. */
  serialize<T>(bucket: string, key: string, work: () => Promise<T>): Promise<T> {
    const id = `${bucket}/${key}`;
    const previous = this.queues.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.queues.set(id, settled);
    void settled.then(() => {
      if (this.queues.get(id) === settled) this.queues.delete(id);
    });
    return next;
  }

  private async readJson<T>(path: string): Promise<T | undefined> {
    const answer = await this.backend.call('GET', path);
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw new Error(`s3rver could not read ${path}: ${answer.status}`);
    return JSON.parse(answer.body.toString('utf8')) as T;
  }

  private async writeJson(path: string, value: unknown): Promise<void> {
    const body = JSON.stringify(value);
    const answer = await this.backend.call(
      'PUT',
      path,
      { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      body,
    );
    if (answer.status !== 200) throw new Error(`s3rver could not write ${path}: ${answer.status}`);
  }
}
