/**
 * Legal hold over search results: every message a search matches is held (or released) whole,
 * its message.json and every attachment, in every version the bucket keeps. A held version
 * outlives its retention: S3 refuses to delete it until the hold is lifted, whatever its
 * retain-until date (S3 Object Lock's legal hold, which has no expiry of its own).
 *
 * Placing a hold that is already placed, or lifting one already lifted, changes nothing, so a run
 * that stopped half-way is simply run again. Holds are applied a few messages at a time as the
 * search streams its matches, so memory does not grow with the number of matches.
 */
import { describeError } from '../archive/run-outcome.ts';
import type { SearchMatch } from './local-search.ts';

const MESSAGE_FILE = 'message.json';

/** What a hold does: S3's legal-hold status. */
export type LegalHoldStatus = 'ON' | 'OFF';

/**
 * Sets the legal hold of stored objects. `lib/aws/s3-legal-hold.ts` implements it on S3
 * (ListObjectVersions, then PutObjectLegalHold per version).
 */
export interface LegalHolds {
  /**
   * Sets `status` on every version of every object whose key starts with `prefix` (delete
   * markers have no hold); resolves to the number of versions set.
   */
  setUnder(
    prefix: string,
    status: LegalHoldStatus,
    options?: { signal?: AbortSignal },
  ): Promise<number>;
}

/** Where a hold run is. */
export interface HoldProgress {
  /** Messages whose objects were set. */
  messages: number;
  /** Object versions set. */
  versions: number;
  /** Messages that could not be set (the error is reported through `onFailure`). */
  failed: number;
}

/** Options of {@link applyLegalHold}. */
export interface ApplyLegalHoldOptions {
  /** Messages set at once; default 8. */
  concurrency?: number;
  onProgress?(progress: HoldProgress): void;
  /** A message whose objects are all set (its message.json key). */
  onSet?(key: string): void;
  /** A message whose objects could not all be set; the run goes on with the others. */
  onFailure?(key: string, error: string): void;
  signal?: AbortSignal;
}

/** The folder holding a message's message.json and attachments. */
export function messageFolder(messageJsonKey: string): string {
  if (!messageJsonKey.endsWith(`/${MESSAGE_FILE}`)) {
    throw new Error(`not a message.json key: ${messageJsonKey}`);
  }
  return messageJsonKey.slice(0, -MESSAGE_FILE.length);
}

/** Sets `status` on every matched message's objects; see the module comment. */
export async function applyLegalHold(
  matches: AsyncIterable<Pick<SearchMatch, 'key'>>,
  holds: LegalHolds,
  status: LegalHoldStatus,
  options: ApplyLegalHoldOptions = {},
): Promise<HoldProgress> {
  const concurrency = options.concurrency ?? 8;
  const progress: HoldProgress = { messages: 0, versions: 0, failed: 0 };
  const signalOption = options.signal ? { signal: options.signal } : {};
  const setOne = async (key: string) => {
    try {
      const versions = await holds.setUnder(messageFolder(key), status, signalOption);
      progress.versions += versions;
      progress.messages += 1;
      options.onSet?.(key);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      progress.failed += 1;
      options.onFailure?.(key, describeError(error));
    }
    options.onProgress?.(progress);
  };
  const inFlight = new Set<Promise<void>>();
  for await (const match of matches) {
    const pending = setOne(match.key).finally(() => inFlight.delete(pending));
    inFlight.add(pending);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return progress;
}
