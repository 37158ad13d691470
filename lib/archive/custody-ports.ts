/**
 * The ports of the chain of custody (custody.ts) and of the tools that read the archive back
 * (verify, search). `lib/aws` implements them on DynamoDB and S3; nothing here knows an SDK.
 */
import type { Readable } from 'node:stream';
import type { ListedObject } from './ports.ts';

/** Where an account's chain ends: its newest custody manifest. */
export interface CustodyHead {
  accountId: string;
  /** The newest manifest's sequence (1 for the first). */
  sequence: number;
  /** The newest manifest's key. */
  key: string;
  /** Hex sha256 of the newest manifest's stored text. */
  sha256: string;
}

/**
 * The head pointer of each account's chain, kept apart from the bucket so that appending is one
 * conditional write: two runs that read the same head cannot both append after it. The loser
 * reads the new head and links after it instead, so concurrent workers serialise into one chain
 * and none forks it silently.
 */
export interface CustodyHeadStore {
  /** The account's head, or `undefined` before its first manifest. */
  get(accountId: string): Promise<CustodyHead | undefined>;
  /**
   * Moves the head to `next` only if the stored head's sequence is still `next.sequence - 1`
   * (absent for sequence 1). Returns false, changing nothing, when another run moved it first.
   */
  advance(next: CustodyHead): Promise<boolean>;
}

/**
 * The archive as the read-back tools see it: every object under a prefix, page by page in key
 * order (a caller holds one page at a time), and a stream of any object.
 */
export interface ArchiveReader {
  /** Every object under `prefix`, in key order, fetched a page at a time as the caller iterates. */
  list(prefix: string, options?: { signal?: AbortSignal }): AsyncIterable<ListedObject>;
  /** The next level of "folders" under `prefix` (each ending in `/`, objects directly under it skipped), in key order. */
  children(prefix: string, options?: { signal?: AbortSignal }): AsyncIterable<string>;
  /** The object's bytes, or `undefined` when there is no such object; consume or destroy it. */
  open(key: string, options?: { signal?: AbortSignal }): Promise<Readable | undefined>;
}
