/**
 * The one check of an archived object against what message.json recorded for it: the object is
 * there, with the recorded size, unchanged since it was archived (its entity tag is the recorded
 * one), its sha256 metadata (objects archived before bodies were streamed) equal to the recorded
 * sha256, and S3's own full-object SHA-256 checksum equal to it where S3 returns one. An entry
 * without an entity tag must be provable by its sha256 metadata. Purge proves attachments with
 * it before deleting (invariant 1); the backfill reads its uploads back with it.
 */
import type { ArchivedAttachment } from './manifest.ts';
import type { ObjectStore, StoredObjectInfo } from './ports.ts';

/** What can be wrong with a stored object, in the order they are checked. */
export type StoredObjectProblem =
  /** No object under the key. */
  | 'missing'
  /** The object's size differs from the recorded one (short or long upload). */
  | 'size-mismatch'
  /** The object was written again after it was archived (its entity tag changed). */
  | 'etag-mismatch'
  /** No entity tag was recorded and the object has no sha256 metadata: nothing proves it. */
  | 'sha256-missing'
  /** The object's sha256 metadata differs from the recorded sha256. */
  | 'sha256-mismatch'
  /** S3's SHA-256 checksum differs from the recorded sha256. */
  | 'checksum-mismatch';

/** The outcome of checking one object. */
export interface StoredObjectCheck {
  /** What the store reported; undefined when the object is missing. */
  info: StoredObjectInfo | undefined;
  /** Empty when the object is proven. */
  problems: StoredObjectProblem[];
  /** Whether S3's own checksum proved the content too. */
  checksummed: boolean;
}

/** The recorded facts of an object (a message.json attachment entry). */
export type RecordedObject = Pick<ArchivedAttachment, 'key' | 'size' | 'sha256' | 'etag'>;

/** Hex sha256 to the base64 form S3 reports checksums in. */
export function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

/**
 * S3 reports a full-object SHA-256 as plain base64; a multipart upload's composite checksum ends
 * in `-{parts}` and is a checksum of checksums, not comparable with the content's sha256.
 */
function isFullObjectChecksum(checksum: string): boolean {
  return !/-\d+$/.test(checksum);
}

/** Checks what the store reported of an object against its recorded facts. */
export function checkStoredObject(
  recorded: RecordedObject,
  info: StoredObjectInfo | undefined,
): StoredObjectCheck {
  if (!info) return { info, problems: ['missing'], checksummed: false };
  const problems: StoredObjectProblem[] = [];
  if (info.size !== recorded.size) problems.push('size-mismatch');
  if (recorded.etag !== undefined && info.etag !== undefined && info.etag !== recorded.etag) {
    problems.push('etag-mismatch');
  }
  if (recorded.etag === undefined && info.sha256 === undefined) problems.push('sha256-missing');
  if (info.sha256 !== undefined && info.sha256.toLowerCase() !== recorded.sha256) {
    problems.push('sha256-mismatch');
  }
  let checksummed = false;
  if (info.checksumSha256 !== undefined && isFullObjectChecksum(info.checksumSha256)) {
    if (info.checksumSha256 !== hexToBase64(recorded.sha256)) problems.push('checksum-mismatch');
    else checksummed = true;
  }
  return { info, problems, checksummed };
}

/** Reads an object's facts from the store (HEAD) and checks them; store errors propagate. */
export async function verifyStoredObject(
  store: Pick<ObjectStore, 'head'>,
  recorded: RecordedObject,
): Promise<StoredObjectCheck> {
  return checkStoredObject(recorded, await store.head(recorded.key));
}
