/**
 * Turns verification results into what a purge run does: only verified ids are deleted, in
 * batches of at most 50 (RingCentral's limit for ids in a DELETE path); everything else is
 * skipped with the reason verification gave.
 */
import { MAX_IDS_PER_REQUEST } from '../ringcentral/index.ts';
import type { MessageRecord } from '../ringcentral/types.ts';
import type { Verification, VerificationFailureReason } from './verification.ts';

/** A message the run deletes (or, in a dry run, would delete). */
export interface PlannedDeletion {
  id: string;
  type?: string;
  creationTime?: string;
  manifestKey: string;
}

/** A candidate the run leaves alone, and why. */
export interface PlannedSkip {
  id: string;
  /**
   * A verification failure, or the deadline: `not-verified-before-deadline` (never checked) and
   * `not-deleted-before-deadline` (verified, but no time was left for its delete request).
   */
  reason:
    | VerificationFailureReason
    | 'not-verified-before-deadline'
    | 'not-deleted-before-deadline';
  detail: string;
}

/** What to delete, in request-sized batches, and what to skip. */
export interface PurgePlan {
  /** Each batch holds 1..50 verified ids. */
  batches: PlannedDeletion[][];
  skipped: PlannedSkip[];
}

/**
 * Builds the plan. A record is deleted only when a verification says `verified: true` for its
 * id; a record without a verification (the deadline came first) is skipped.
 */
export function planPurge(
  candidates: readonly MessageRecord[],
  verifications: readonly Verification[],
  batchSize = MAX_IDS_PER_REQUEST,
): PurgePlan {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_IDS_PER_REQUEST) {
    throw new RangeError(`batchSize must be 1..${MAX_IDS_PER_REQUEST}`);
  }
  const byId = new Map(verifications.map((verification) => [verification.id, verification]));
  const deletions: PlannedDeletion[] = [];
  const skipped: PlannedSkip[] = [];
  const seen = new Set<string>();
  for (const record of candidates) {
    if (seen.has(record.id)) continue;
    seen.add(record.id);
    const verification = byId.get(record.id);
    if (!verification) {
      skipped.push({
        id: record.id,
        reason: 'not-verified-before-deadline',
        detail: 'left for the next run',
      });
    } else if (verification.verified) {
      const deletion: PlannedDeletion = { id: record.id, manifestKey: verification.manifestKey };
      if (record.type !== undefined) deletion.type = record.type;
      if (record.creationTime !== undefined) deletion.creationTime = record.creationTime;
      deletions.push(deletion);
    } else {
      skipped.push({ id: record.id, reason: verification.reason, detail: verification.detail });
    }
  }
  const batches: PlannedDeletion[][] = [];
  for (let start = 0; start < deletions.length; start += batchSize) {
    batches.push(deletions.slice(start, start + batchSize));
  }
  return { batches, skipped };
}
