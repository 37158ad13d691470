/**
 * The backfill: archives a mailbox's history into the same S3 layout and manifests the archive
 * function writes, through RingCentral's message-store export when it is available
 * (`export-path.ts`), otherwise by listing each configured extension (`list-path.ts`): on
 * 403/404/405/501 on create, a Failed or Cancelled task, or no result within the wait bound.
 *
 * Both paths write through `message-writer.ts` and the record archiver, the archive function's
 * write path, so the archive function and the backfill produce the same objects for the same
 * message. A rerun resumes from the checkpoint (`checkpoint.ts`).
 */
import {
  type BackfillOptions,
  type BackfillResult,
  type BackfillRun,
  startBackfillRun,
} from './context.ts';
import { backfillViaExport } from './export-path.ts';
import { ExportUnavailableError } from './export-task.ts';
import { backfillViaList } from './list-path.ts';

export type {
  BackfillFailure,
  BackfillOptions,
  BackfillResult,
  BackfillRingCentral,
} from './context.ts';
export { BackfillVerificationError } from './entry-upload.ts';
export { parseArchivePath } from './export-path.ts';
export { ExportUnavailableError } from './export-task.ts';
export { BACKFILL_MESSAGE_TYPES, type BackfillRequest, backfillScope } from './request.ts';

/** Archives through the export, or by listing when it is not available (or asked for). */
async function backfillVia(run: BackfillRun): Promise<void> {
  const { options, result, progress, checkpoint } = run;
  const resumingList = checkpoint.current?.mode === 'list';
  if (options.forceList || resumingList) {
    result.fallbackReason = options.forceList ? 'listing was asked for' : 'resuming a listing';
    await backfillViaList(run);
    return;
  }
  try {
    await backfillViaExport(run);
  } catch (error) {
    if (!(error instanceof ExportUnavailableError) || options.listFallback === false) throw error;
    result.fallbackReason = error.message;
    options.log?.(`The export is not available (${error.message}): listing instead`);
    progress.note('listing instead of the export');
    await backfillViaList(run);
  }
}

/** Runs a backfill (see the module comment); resumable through `checkpoints`. */
export async function runBackfill(options: BackfillOptions): Promise<BackfillResult> {
  const run = await startBackfillRun(options);
  const { result, progress, checkpoint } = run;
  try {
    await backfillVia(run);
  } finally {
    // Whatever was stored, also by an interrupted run, goes into the chain of custody.
    await run.custody?.close();
  }
  result.failures = run.outcome.result().failures;
  result.complete = result.failures.length === 0;
  if (result.complete && checkpoint.current) {
    await checkpoint.save({
      ...checkpoint.current,
      completedAt: new Date(run.now()).toISOString(),
    });
  }
  progress.enter('done');
  progress.note(undefined);
  result.durationMs = run.now() - run.started;
  progress.report();
  return result;
}
