/**
 * An in-memory ObjectStore for the purge unit tests (ports.ts allows in-memory ports); the
 * integration tests use S3 (s3rver). `corrupt` and `remove` make holes in the archive.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ObjectStore, StoredObjectInfo } from '../../../lib/archive/ports.ts';

/** A stored object: its bytes and what head() reports. */
interface MemoryObject {
  bytes: Buffer;
  info: StoredObjectInfo;
}

/** The store plus handles to change objects behind the archive's back. */
export interface MemoryStore extends ObjectStore {
  keys(): string[];
  text(key: string): string | undefined;
  /** Replaces what head() says of an object (size, entity tag, sha256 metadata, checksum). */
  corrupt(key: string, info: Partial<StoredObjectInfo> & { dropSha256?: boolean }): void;
  remove(key: string): void;
  /** head(), getText() and list() calls so far (a list() call counts its pages). */
  reads: { head: number; getText: number; listPages: number };
  /** Makes every call on keys matching `pattern` fail. */
  failOn(pattern: RegExp | undefined): void;
}

async function bytesOf(body: Readable | Uint8Array | string): Promise<Buffer> {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/**
 * Creates an empty store. `checksums` makes head() return S3's base64 SHA-256 as well; `etags`
 * makes it store as the S3 store does now (an MD5 entity tag, no sha256 metadata) instead of as
 * older archives were stored (sha256 metadata, no entity tag).
 */
export function createMemoryStore(
  options: { checksums?: boolean; etags?: boolean; pageSize?: number } = {},
): MemoryStore {
  const objects = new Map<string, MemoryObject>();
  const reads = { head: 0, getText: 0, listPages: 0 };
  const pageSize = options.pageSize ?? 1000;
  let failing: RegExp | undefined;
  const check = (key: string) => {
    if (failing?.test(key)) throw new Error(`injected store failure for ${key}`);
  };
  return {
    reads,
    async head(key) {
      reads.head += 1;
      check(key);
      const object = objects.get(key);
      return object ? { ...object.info } : undefined;
    },
    async getText(key) {
      reads.getText += 1;
      check(key);
      return objects.get(key)?.bytes.toString('utf8');
    },
    async put(key, body, putOptions) {
      check(key);
      const bytes = await bytesOf(body);
      if (putOptions.size !== undefined && putOptions.size !== bytes.length) {
        throw new Error(`size ${bytes.length} differs from the expected ${putOptions.size}`);
      }
      const digest = createHash('sha256').update(bytes);
      const sha256 = digest.copy().digest('hex');
      const info: StoredObjectInfo = { size: bytes.length };
      if (options.etags) info.etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
      else info.sha256 = sha256;
      if (options.checksums) info.checksumSha256 = digest.digest('base64');
      objects.set(key, { bytes, info });
      return { size: bytes.length, sha256, ...(info.etag ? { etag: info.etag } : {}) };
    },
    async digest(key) {
      check(key);
      const object = objects.get(key);
      if (!object) return undefined;
      const sha256 = createHash('sha256').update(object.bytes).digest('hex');
      return {
        size: object.bytes.length,
        sha256,
        ...(object.info.etag ? { etag: object.info.etag } : {}),
      };
    },
    async list(prefix, listOptions) {
      check(prefix);
      const listed = [...objects.entries()]
        .filter(([key]) => key.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, object]) => ({
          key,
          size: object.info.size,
          ...(object.info.etag ? { etag: object.info.etag } : {}),
        }));
      const pages = Math.max(1, Math.ceil(listed.length / pageSize));
      reads.listPages += Math.min(pages, listOptions.maxPages);
      return pages > listOptions.maxPages ? undefined : listed;
    },
    keys: () => [...objects.keys()].sort(),
    text: (key) => objects.get(key)?.bytes.toString('utf8'),
    corrupt(key, change) {
      const object = objects.get(key);
      if (!object) throw new Error(`no object ${key}`);
      const { dropSha256, ...rest } = change;
      object.info = { ...object.info, ...rest };
      if (dropSha256) delete object.info.sha256;
    },
    remove: (key) => {
      objects.delete(key);
    },
    failOn: (pattern) => {
      failing = pattern;
    },
  };
}
