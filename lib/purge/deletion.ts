/**
 * Deleting what verification proved, one extension at a time: proven ids wait in a queue and go
 * out in DELETEs of at most 50 as soon as 50 are pending, so deletes keep pace with verification,
 * a deadline leaves deleted what was proven, and requests stay at ceil(verified / 50). A dry run
 * records what it would delete instead.
 */
import type { BulkResult, CallOptions, MessagesApi } from '../ringcentral/index.ts';
import {
  AbortedError,
  DeadlineExceededError,
  MAX_IDS_PER_REQUEST,
  nonEmpty,
  RingCentralError,
} from '../ringcentral/index.ts';
import type { PlannedDeletion } from './plan.ts';
import type { PurgeReport, PurgeReportExtension, PurgeReportFailure } from './report.ts';

/** The report's lists a deletion adds to. */
export type DeletionRecord = Pick<PurgeReport, 'deleted' | 'wouldDelete' | 'skipped' | 'failed'>;

/** What deleting one extension's proven ids needs. */
export interface DeletionContext {
  messages: Pick<MessagesApi, 'delete'>;
  dryRun: boolean;
  /** `purge=true` on the DELETE. */
  hardPurge: boolean;
  /** The extension's summary: its delete requests are counted there. */
  summary: PurgeReportExtension;
  record: DeletionRecord;
  /** True once no new delete may start. */
  outOfTime(): boolean;
  /** The work's signal and deadline. */
  work: CallOptions;
}

/** The proven ids of one extension, waiting for their DELETE. */
export interface DeletionQueue {
  add(entries: readonly PlannedDeletion[]): void;
  /**
   * Sends every full batch, and with `all` the last partial one too. False when the deadline
   * stopped it: whatever was still pending is recorded as not deleted.
   */
  flush(all: boolean): Promise<boolean>;
}

/** True for the errors that mean the run's time or signal ended, not RingCentral's refusal. */
export function isStop(error: unknown): boolean {
  return error instanceof DeadlineExceededError || error instanceof AbortedError;
}

const NOT_DELETED = 'the deadline came before its delete';

/** A queue for one extension's proven ids. */
export function createDeletionQueue(context: DeletionContext): DeletionQueue {
  const pending: PlannedDeletion[] = [];
  const extension = context.summary.extension;
  const notDeleted = (entries: readonly PlannedDeletion[]): void => {
    for (const entry of entries) {
      context.record.skipped.push({
        id: entry.id,
        extension,
        reason: 'not-deleted-before-deadline',
        detail: NOT_DELETED,
      });
    }
  };
  return {
    add(entries) {
      pending.push(...entries);
    },
    async flush(all) {
      while (pending.length >= MAX_IDS_PER_REQUEST || (all && pending.length > 0)) {
        const batch = pending.splice(0, MAX_IDS_PER_REQUEST);
        if (context.dryRun) {
          for (const entry of batch) context.record.wouldDelete.push({ ...entry, extension });
          continue;
        }
        if (context.outOfTime()) {
          notDeleted(batch.concat(pending.splice(0)));
          return false;
        }
        if (await deleteAndRecord(context, batch)) {
          notDeleted(pending.splice(0));
          return false;
        }
      }
      return true;
    },
  };
}

/** Sends one batch and records each id's result; true when the deadline or signal stopped it. */
async function deleteAndRecord(
  context: DeletionContext,
  batch: readonly PlannedDeletion[],
): Promise<boolean> {
  const extension = context.summary.extension;
  context.summary.deleteRequests += 1;
  const results = await deleteBatch(context, batch);
  const byId = new Map(batch.map((entry) => [entry.id, entry]));
  for (const result of results) {
    const entry = byId.get(result.id);
    if (!entry) continue;
    if (result.ok) context.record.deleted.push({ ...entry, extension });
    else context.record.failed.push(failureOf(result, extension));
  }
  return results.some((result) => !result.ok && isStop(result.error));
}

/** One DELETE of at most 50 ids; the client turns a 207 into one result per id. */
function deleteBatch(
  context: DeletionContext,
  batch: readonly PlannedDeletion[],
): Promise<BulkResult<never>[]> {
  const ids = nonEmpty(
    batch.map((entry) => entry.id),
    'purge batch',
  );
  return context.messages.delete(ids, {
    ...context.work,
    extensionId: context.summary.extension,
    ...(context.hardPurge ? { purge: true } : {}),
  });
}

function failureOf(
  result: Extract<BulkResult<never>, { ok: false }>,
  extension: string,
): PurgeReportFailure {
  const failure: PurgeReportFailure = {
    id: result.id,
    extension,
    message: result.error instanceof RingCentralError ? result.error.message : String(result.error),
  };
  if (result.status !== undefined) failure.status = result.status;
  if (result.error.errorCode !== undefined) failure.errorCode = result.error.errorCode;
  return failure;
}
