/**
 * The ports the archive domain talks to. `lib/aws` implements them on S3 and DynamoDB; tests may
 * wrap them (fault injection) or implement them in memory. Nothing here knows an SDK.
 */
import type { Readable } from 'node:stream';

/** What the store knows of an object without reading it. */
export interface StoredObjectInfo {
  /** Bytes. */
  size: number;
  /** sha256 of the content, hex, from the object's user metadata (`x-amz-meta-sha256`). */
  sha256?: string;
  /** S3's own SHA-256 checksum, base64, when the store returns one (HeadObject ChecksumMode). */
  checksumSha256?: string;
}

/** Options of {@link ObjectStore.put}. */
export interface PutObjectOptions {
  contentType?: string;
  /** Expected size: the put fails when the body turns out longer or shorter. */
  size?: number;
  signal?: AbortSignal;
}

/** What {@link ObjectStore.put} wrote. */
export interface PutObjectResult {
  size: number;
  /** Hex sha256 of the bytes written, also stored as the object's `sha256` metadata. */
  sha256: string;
}

/** A bucket, as the archive needs it. */
export interface ObjectStore {
  /** The object's size and digests, or `undefined` when there is no such object. */
  head(key: string): Promise<StoredObjectInfo | undefined>;
  /**
   * Streams `body` to `key`, computing sha256 on the way (stored as metadata `sha256`); never
   * buffers a whole large body. Rejects, leaving no object at `key` changed to a partial one,
   * when the body errors or its length differs from `options.size`.
   */
  put(
    key: string,
    body: Readable | Uint8Array | string,
    options: PutObjectOptions,
  ): Promise<PutObjectResult>;
  /** The object's content as UTF-8 text, or `undefined` when there is no such object. */
  getText(key: string): Promise<string | undefined>;
}

/**
 * The archive's sync position for one configured extension (`~` or an extension id).
 * Invariant 2: a cursor is only ever advanced past records that are all archived.
 */
export interface ArchiveCursor {
  /** The configured extension this cursor belongs to (`~` or an id), the store key. */
  extension: string;
  /** ISync token; absent when a full sync is required (first run, after MSG-333). */
  syncToken?: string;
  /**
   * `syncInfo.syncTime` of the sync whose records are all archived: every message last changed
   * before it is in the archive. Purge uses it as "not newer than the archive cursor".
   */
  syncTime?: string;
  /** The real account id learned from the records (never `~`). */
  accountId?: string;
  /** The real extension id learned from the records (never `~`). */
  extensionId?: string;
  /** Optimistic-concurrency version; 0 is "never stored". */
  version: number;
}

/** The new position written by {@link CursorStore.advance}. */
export interface CursorAdvance {
  /** `undefined` clears the token (a full sync is required next). */
  syncToken?: string;
  syncTime?: string;
  accountId?: string;
  extensionId?: string;
}

/** Thrown when another writer moved the cursor since it was read. */
export class CursorConflictError extends Error {
  override readonly name = 'CursorConflictError';
  constructor(extension: string, expectedVersion: number, options?: { cause?: unknown }) {
    super(
      `Archive cursor of extension ${extension} is no longer at version ${expectedVersion}`,
      options,
    );
  }
}

/** Where the per-extension sync cursors live. */
export interface CursorStore {
  /** The stored cursor; `{ extension, version: 0 }` when none was ever stored. */
  get(extension: string): Promise<ArchiveCursor>;
  /**
   * Writes the new position if the stored version still equals `expectedVersion` (conditional
   * put), returning the stored cursor with `version` incremented; otherwise throws
   * {@link CursorConflictError} and changes nothing.
   */
  advance(extension: string, next: CursorAdvance, expectedVersion: number): Promise<ArchiveCursor>;
}
