/**
 * Proves that one message is in the archive before purge may delete it (invariant 1): its
 * message.json is there and describes this message, and every attachment RingCentral lists is in
 * the manifest and in S3 with the size RingCentral and the manifest state, unchanged since it was
 * archived (its entity tag is the one message.json recorded), and S3's own SHA-256 checksum equal
 * to the manifest's sha256 where S3 returns one (`stored-object-check.ts` in lib/archive, the check
 * the backfill reads its uploads back with). Entries archived before message.json recorded entity
 * tags prove themselves by the sha256 their objects carry as metadata. With a required
 * retention, "proven archived" also means "proven immutable": message.json and every attachment
 * carry an Object Lock retention reaching at least that many days past the message's creation.
 */

import { messageKey } from '../archive/layout.ts';
import type { ArchiveManifest } from '../archive/manifest.ts';
import { parseManifest } from '../archive/manifest.ts';
import type { ObjectStore, StoredObjectInfo } from '../archive/ports.ts';
import { type StoredObjectCheck, verifyStoredObject } from '../archive/stored-object-check.ts';
import type { MessageRecord } from '../ringcentral/types.ts';

export { hexToBase64 } from '../archive/stored-object-check.ts';

/** Why a message is not proven archived. */
export type VerificationFailureReason =
  /** The record lacks what its key is made of (account, extension, creation time). */
  | 'unlocatable'
  | 'manifest-missing'
  | 'manifest-invalid'
  /** The manifest is of another message id. */
  | 'manifest-mismatch'
  /** RingCentral's record changed after the archived copy was taken. */
  | 'archive-outdated'
  /** RingCentral lists an attachment the manifest does not hold. */
  | 'attachment-not-archived'
  /** The archiver could not fetch an attachment (gone before download). */
  | 'attachment-gone-before-download'
  /** The manifest's size differs from RingCentral's. */
  | 'attachment-size-differs-from-ringcentral'
  | 'attachment-missing'
  /** The S3 object's size differs from the manifest's (short or long upload). */
  | 'attachment-size-mismatch'
  /** An entry without an entity tag (archived by older code) whose object has no sha256 metadata. */
  | 'attachment-sha256-missing'
  /** The object's sha256 metadata (older archives) differs from the manifest's. */
  | 'attachment-sha256-mismatch'
  /** The object was written again after it was archived (its entity tag changed). */
  | 'attachment-etag-mismatch'
  /** S3's SHA-256 checksum differs from the manifest's sha256. */
  | 'attachment-checksum-mismatch'
  /** message.json has no Object Lock retention, or one ending before the required date. */
  | 'manifest-not-retained'
  /** An attachment has no Object Lock retention, or one ending before the required date. */
  | 'attachment-not-retained'
  /** The store failed while we looked: nothing is proven. */
  | 'verification-error';

/** The outcome for one message. */
export type Verification =
  | {
      id: string;
      verified: true;
      manifestKey: string;
      /** Attachments checked. */
      attachments: number;
      /** How many of them S3 also proved with its own checksum. */
      checksummed: number;
    }
  | {
      id: string;
      verified: false;
      reason: VerificationFailureReason;
      /** Which key or attachment, and what differed; never message content. */
      detail: string;
      manifestKey?: string;
    };

function failure(
  id: string,
  reason: VerificationFailureReason,
  detail: string,
  manifestKey?: string,
): Verification {
  return manifestKey === undefined
    ? { id, verified: false, reason, detail }
    : { id, verified: false, reason, detail, manifestKey };
}

/**
 * The Object Lock retention purge requires of every archived object: retained at least `days`
 * after the message's creation (the archive's configured retention; objects written with it are
 * retained that long after their write, which is never before the creation).
 */
export interface RetentionRequirement {
  days: number;
}

/** Options of {@link verifyArchived}. */
export interface VerificationOptions {
  /** When set, objects without a long enough retention are not proven archived. */
  requiredRetention?: RetentionRequirement;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Why an object's retention falls short of `requiredUntil`, or undefined when it does not. */
function retentionShortfall(
  key: string,
  info: StoredObjectInfo,
  requiredUntil: number,
): string | undefined {
  if (!info.retention)
    return `${key}: no retention, required until ${new Date(requiredUntil).toISOString()}`;
  if (Date.parse(info.retention.retainUntil) >= requiredUntil) return undefined;
  return `${key}: retained until ${info.retention.retainUntil}, required until ${new Date(requiredUntil).toISOString()}`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Verifies one candidate record against the archive; never throws for store errors. */
export async function verifyArchived(
  store: Pick<ObjectStore, 'head' | 'getText'>,
  record: MessageRecord,
  options: VerificationOptions = {},
): Promise<Verification> {
  const id = record.id;
  let key: string;
  try {
    key = messageKey(record);
  } catch (error) {
    return failure(id, 'unlocatable', describeError(error));
  }
  let manifest: ArchiveManifest;
  try {
    const text = await store.getText(key);
    if (text === undefined) return failure(id, 'manifest-missing', key, key);
    try {
      manifest = parseManifest(text);
    } catch (error) {
      return failure(id, 'manifest-invalid', `${key}: ${describeError(error)}`, key);
    }
  } catch (error) {
    return failure(id, 'verification-error', `${key}: ${describeError(error)}`, key);
  }
  if (manifest.message.id !== id) {
    return failure(id, 'manifest-mismatch', `${key} holds message ${manifest.message.id}`, key);
  }
  const listedModified = Date.parse(record.lastModifiedTime ?? '');
  const archivedModified = Date.parse(String(manifest.message.lastModifiedTime ?? ''));
  if (!Number.isNaN(listedModified) && !Number.isNaN(archivedModified)) {
    if (listedModified > archivedModified) {
      return failure(
        id,
        'archive-outdated',
        `RingCentral lastModifiedTime ${record.lastModifiedTime} is after the archived ${String(manifest.message.lastModifiedTime)}`,
        key,
      );
    }
  }

  const archived = new Map(manifest.attachments.map((entry) => [entry.id, entry]));
  const gone = new Set((manifest.missingAttachments ?? []).map((entry) => entry.id));
  for (const attachment of record.attachments ?? []) {
    if (gone.has(attachment.id)) {
      return failure(id, 'attachment-gone-before-download', `attachment ${attachment.id}`, key);
    }
    const entry = archived.get(attachment.id);
    if (!entry) return failure(id, 'attachment-not-archived', `attachment ${attachment.id}`, key);
    if (attachment.size !== undefined && attachment.size !== entry.size) {
      return failure(
        id,
        'attachment-size-differs-from-ringcentral',
        `attachment ${attachment.id}: RingCentral ${attachment.size} B, manifest ${entry.size} B`,
        key,
      );
    }
  }
  if ((manifest.missingAttachments ?? []).length > 0) {
    const first = manifest.missingAttachments?.[0];
    return failure(id, 'attachment-gone-before-download', `attachment ${first?.id}`, key);
  }

  const requiredUntil =
    options.requiredRetention === undefined
      ? undefined
      : Date.parse(record.creationTime ?? '') + options.requiredRetention.days * DAY_MS;
  if (requiredUntil !== undefined) {
    let info: StoredObjectInfo | undefined;
    try {
      info = await store.head(key);
    } catch (error) {
      return failure(id, 'verification-error', `${key}: ${describeError(error)}`, key);
    }
    if (!info) return failure(id, 'manifest-missing', key, key);
    const shortfall = retentionShortfall(key, info, requiredUntil);
    if (shortfall) return failure(id, 'manifest-not-retained', shortfall, key);
  }

  let checksummed = 0;
  for (const entry of manifest.attachments) {
    let check: StoredObjectCheck;
    try {
      check = await verifyStoredObject(store, entry);
    } catch (error) {
      return failure(id, 'verification-error', `${entry.key}: ${describeError(error)}`, key);
    }
    const [problem] = check.problems;
    if (problem === 'size-mismatch') {
      return failure(
        id,
        'attachment-size-mismatch',
        `${entry.key}: S3 ${check.info?.size} B, manifest ${entry.size} B`,
        key,
      );
    }
    if (problem !== undefined) return failure(id, `attachment-${problem}`, entry.key, key);
    if (check.checksummed) checksummed += 1;
    const shortfall =
      requiredUntil === undefined || check.info === undefined
        ? undefined
        : retentionShortfall(entry.key, check.info, requiredUntil);
    if (shortfall) return failure(id, 'attachment-not-retained', shortfall, key);
  }
  return {
    id,
    verified: true,
    manifestKey: key,
    attachments: manifest.attachments.length,
    checksummed,
  };
}

/**
 * Verifies many records with at most `concurrency` in flight, in input order. Stops starting new
 * checks once `shouldStop()` says so; the unchecked records are returned apart.
 */
export async function verifyAll(
  store: Pick<ObjectStore, 'head' | 'getText'>,
  records: readonly MessageRecord[],
  options: { concurrency?: number; shouldStop?: () => boolean } & VerificationOptions = {},
): Promise<{ results: Verification[]; unchecked: MessageRecord[] }> {
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const results: Array<Verification | undefined> = new Array(records.length);
  let next = 0;
  let stopped = false;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (stopped || options.shouldStop?.()) {
        stopped = true;
        return;
      }
      const index = next;
      next += 1;
      const record = records[index];
      if (record === undefined) return;
      results[index] = await verifyArchived(store, record, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, records.length) }, worker));
  const done: Verification[] = [];
  const unchecked: MessageRecord[] = [];
  records.forEach((record, index) => {
    const result = results[index];
    if (result) done.push(result);
    else unchecked.push(record);
  });
  return { results: done, unchecked };
}
