/**
 * The ports the archive domain talks to. `lib/aws` implements them on S3 and DynamoDB; tests may
 * wrap them (fault injection) or implement them in memory. Nothing here knows an SDK.
 */
import type { Readable } from 'node:stream';

/** What the store knows of an object without reading it. */
export interface StoredObjectInfo {
  /** Bytes. */
  size: number;
  /**
   * The object's entity tag as the store reports it (quotes included). It changes whenever the
   * object is written again, so the one recorded at archive time proves the object untouched.
   */
  etag?: string;
  /**
   * Hex sha256 from the object's user metadata (`x-amz-meta-sha256`): only objects archived
   * before bodies were streamed carry it; new ones keep their sha256 in message.json alone.
   */
  sha256?: string;
  /** S3's own SHA-256 checksum, base64, when the store returns one (HeadObject ChecksumMode). */
  checksumSha256?: string;
  /** The version read, on a versioned bucket (every bucket with Object Lock is one). */
  versionId?: string;
  /**
   * The object's Object Lock retention, when it has one (its own or the bucket's default). An
   * expired retention is still reported: only `retainUntil` says whether it still protects.
   */
  retention?: ObjectRetention;
  /** True while a legal hold keeps the object, whatever its retention says. */
  legalHold?: boolean;
}

/**
 * An Object Lock retention: until `retainUntil` nobody may delete the version (COMPLIANCE), or
 * only a caller allowed to bypass governance may (GOVERNANCE). Overwriting the key adds a
 * version and leaves this one as it is.
 */
export interface ObjectRetention {
  mode: 'GOVERNANCE' | 'COMPLIANCE';
  /** ISO 8601, UTC. */
  retainUntil: string;
}

/** Options of {@link ObjectStore.put}. */
export interface PutObjectOptions {
  contentType?: string;
  /** Expected size: the put fails when the body turns out longer or shorter. */
  size?: number;
  signal?: AbortSignal;
}

/** What {@link ObjectStore.put} wrote, or what {@link ObjectStore.digest} read. */
export interface PutObjectResult {
  size: number;
  /** Hex sha256 of the bytes, computed while they streamed through. */
  sha256: string;
  /** The stored object's entity tag, when the store reports one. */
  etag?: string;
  /** The version the put created, on a versioned bucket. */
  versionId?: string;
  /**
   * The retention the put asked for (the store's configured one); absent when the store writes
   * without (then the bucket's default retention, if any, applies: {@link ObjectStore.head} says).
   */
  retention?: ObjectRetention;
}

/** A bucket, as the archive needs it. */
export interface ObjectStore {
  /** The object's size and tags, or `undefined` when there is no such object. */
  head(key: string): Promise<StoredObjectInfo | undefined>;
  /**
   * Streams `body` to `key`, computing sha256 on the way; never buffers a whole large body.
   * Rejects, leaving no object at `key` changed to a partial one, when the body errors or its
   * length differs from `options.size`. A store configured with a retention writes every object
   * with it (retain-until = the time of the put + the configured days).
   */
  put(
    key: string,
    body: Readable | Uint8Array | string,
    options: PutObjectOptions,
  ): Promise<PutObjectResult>;
  /**
   * Reads the stored object through sha256 without keeping it: the digest of an object whose
   * manifest was never written (a run stopped between the two). `undefined` when absent.
   */
  digest(key: string, options?: { signal?: AbortSignal }): Promise<PutObjectResult | undefined>;
  /** The object's content as UTF-8 text, or `undefined` when there is no such object. */
  getText(key: string): Promise<string | undefined>;
  /**
   * The objects under `prefix`, at most `maxPages` pages of up to 1,000 keys; `undefined` when
   * there are more. Optional: a store without it is asked object by object.
   */
  list?(
    prefix: string,
    options: { maxPages: number; signal?: AbortSignal },
  ): Promise<ListedObject[] | undefined>;
}

/** One object of a listing. */
export interface ListedObject {
  key: string;
  size: number;
  etag?: string;
  /** When the store wrote it (ISO 8601), where the listing says: custody adoption judges by it. */
  lastModified?: string;
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

/** Where one message's archived copy is: its message.json key, found by the message id alone. */
export interface MessageLocator {
  accountId: string;
  extensionId: string;
  messageId: string;
  /** The key of the message's message.json. */
  key: string;
}

/**
 * The archive's index from message id to message.json key. ISync returns a deleted or purged
 * message with only its id and availability; the locator finds the archived copy to mark
 * without a RingCentral request. A locator may exist before its message.json (it names a
 * deterministic key): a locator whose message.json is not there yet reads as "not archived".
 */
export interface LocatorStore {
  /** Records these locators (idempotent: a locator's content never changes). */
  put(locators: readonly MessageLocator[], options?: { signal?: AbortSignal }): Promise<void>;
  /** The message.json key recorded for a message, or `undefined`. */
  get(accountId: string, extensionId: string, messageId: string): Promise<string | undefined>;
}
