/**
 * The export task of a backfill: the checkpoint's task resumed (unless it failed or is gone), or
 * a new one created, then polled until it completes, within the wait bound. Whatever says the
 * export cannot be used becomes {@link ExportUnavailableError}, on which the backfill lists.
 */
import { ExportFailedError, RingCentralError, sleepWithin } from '../ringcentral/index.ts';
import type { BackfillRun } from './context.ts';

/** The export cannot be used; the backfill lists instead. */
export class ExportUnavailableError extends Error {
  override readonly name = 'ExportUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Statuses on which RingCentral says the export is not there for this account or app. */
const UNAVAILABLE_STATUSES = new Set([403, 404, 405, 501]);

/** The checkpoint's task, unless it ended without result or RingCentral no longer knows it. */
async function resumableTask(run: BackfillRun): Promise<string | undefined> {
  const checkpoint = run.checkpoint.current;
  const taskId = checkpoint?.mode === 'export' ? checkpoint.taskId : undefined;
  if (!taskId) return undefined;
  try {
    const task = await run.options.ringCentral.exports.get(taskId, {
      ...run.call,
      accountId: run.accountId,
    });
    return task.status === 'Failed' || task.status === 'Cancelled' ? undefined : taskId;
  } catch (error) {
    if (!(error instanceof RingCentralError) || error.status !== 404) throw error;
    return undefined;
  }
}

/** Creates a task for the run's scope and checkpoints it. */
async function createTask(run: BackfillRun): Promise<string> {
  let taskId: string;
  try {
    const task = await run.options.ringCentral.exports.create(
      {
        accountId: run.accountId,
        dateFrom: run.options.request.dateFrom,
        dateTo: run.dateTo,
        ...(run.messageTypes ? { messageTypes: run.messageTypes } : {}),
      },
      run.call,
    );
    taskId = task.id;
  } catch (error) {
    if (error instanceof RingCentralError && UNAVAILABLE_STATUSES.has(error.status ?? 0)) {
      throw new ExportUnavailableError(
        `the export answered ${error.status} ${error.errorCode ?? ''}`.trim(),
        { cause: error },
      );
    }
    throw error;
  }
  await run.checkpoint.save({
    scope: run.scope,
    mode: 'export',
    taskId,
    archivesDone: [],
    extensionsDone: [],
  });
  return taskId;
}

/** Polls the task until it completes; throws ExportUnavailableError when it will not in time. */
async function awaitCompletion(run: BackfillRun, taskId: string): Promise<void> {
  const { options, progress } = run;
  const waitUntil = Math.min(run.call.deadline, run.now() + (options.exportWaitMs ?? 30 * 60_000));
  // Small exports finish in seconds: poll soon, then back off to the interval.
  const maxInterval = options.pollIntervalMs ?? 10_000;
  let interval = Math.min(500, maxInterval);
  for (;;) {
    const task = await options.ringCentral.exports.get(taskId, {
      ...run.call,
      accountId: run.accountId,
    });
    progress.note(`export task ${task.status ?? 'status unknown'}`);
    progress.report();
    if (task.status === 'Completed') return;
    if (task.status === 'Failed' || task.status === 'Cancelled') {
      throw new ExportUnavailableError(`the export task ended ${task.status}`, {
        cause: new ExportFailedError(`Export task ${taskId} ended ${task.status}`),
      });
    }
    if (run.now() + interval > waitUntil) {
      throw new ExportUnavailableError('the export task did not complete in time');
    }
    await sleepWithin(
      interval,
      options.signal ? { signal: options.signal } : undefined,
      'backfill',
    );
    run.throwIfAborted();
    interval = Math.min(maxInterval, interval * 2);
  }
}

/** Creates the task or resumes the checkpoint's, and waits for it within the bound. */
export async function completedExportTask(run: BackfillRun): Promise<string> {
  const taskId = (await resumableTask(run)) ?? (await createTask(run));
  await awaitCompletion(run, taskId);
  return taskId;
}
