/**
 * The archive worker's work: the batch of extension ids the dispatcher handed it, archived in
 * order until the deadline, each one's progress recorded in the extension registry. One
 * extension's failure does not stop the batch: it is recorded (`lastError`, or `permissionError`
 * when RingCentral refuses the service user that mailbox) and the next one runs. Extensions not
 * reached keep their old progress, so the next dispatch takes them first.
 */
import type { ExtensionProgress, ExtensionRegistry } from '../extensions/ports.ts';
import { InsufficientPermissionsError } from '../ringcentral/index.ts';
import type { ArchiveRunResult, Archiver } from './archiver.ts';
import { type ArchiveCallOptions, describeError } from './run-outcome.ts';
import type { RunSummary } from './run-summary.ts';

/** The user permission RingCentral requires to read another extension's message store. */
export const READ_MESSAGES_PERMISSION = 'ReadMessages';

/** What the batch works with. */
export interface ExtensionBatchDependencies {
  archiver: Pick<Archiver, 'archiveExtension'>;
  registry: Pick<ExtensionRegistry, 'recordProgress'>;
  now?: () => number;
  /**
   * No extension is started with less than this left; default 0: the archiver stops at its own
   * checkpoint inside the run, and an interrupted run is resumed first by the next dispatch.
   */
  startMarginMs?: number;
}

/** An extension RingCentral would not let the service user read. */
export interface PermissionFailure {
  extensionId: string;
  /** The permission RingCentral named, else {@link READ_MESSAGES_PERMISSION}. */
  permission: string;
}

/** What the batch did. */
export interface ExtensionBatchResult {
  runs: ArchiveRunResult[];
  /** Ids the deadline came before (the next dispatch takes them first). */
  notReached: string[];
  permissionErrors: PermissionFailure[];
  /** Extensions whose run threw (other than a permission error); recorded as lastError. */
  errors: Array<{ extensionId: string; error: string }>;
}

/** The progress a finished run records. */
export function progressOf(run: ArchiveRunResult, at: string): ExtensionProgress {
  if (run.complete && run.syncTime !== undefined) {
    return {
      lastRunAt: at,
      completeThrough: run.syncTime,
      lastError: null,
      permissionError: null,
      changedAt: null,
    };
  }
  const first = run.failures[0];
  return {
    lastRunAt: at,
    permissionError: null,
    ...(first
      ? {
          lastError: `${run.failures.length} message(s) failed, e.g. ${first.messageId}: ${first.error}`,
        }
      : {}),
  };
}

/** Archives the batch in order until the deadline; see the module comment. */
export async function archiveExtensionBatch(
  dependencies: ExtensionBatchDependencies,
  extensionIds: readonly string[],
  call: ArchiveCallOptions,
): Promise<ExtensionBatchResult> {
  const now = dependencies.now ?? Date.now;
  const margin = dependencies.startMarginMs ?? 0;
  const result: ExtensionBatchResult = {
    runs: [],
    notReached: [],
    permissionErrors: [],
    errors: [],
  };
  for (const [index, extensionId] of extensionIds.entries()) {
    if (now() >= call.deadline - margin || call.signal?.aborted) {
      result.notReached.push(...extensionIds.slice(index));
      break;
    }
    const at = new Date(now()).toISOString();
    let progress: ExtensionProgress;
    try {
      const run = await dependencies.archiver.archiveExtension(extensionId, call);
      result.runs.push(run);
      progress = progressOf(run, at);
    } catch (error) {
      if (error instanceof InsufficientPermissionsError) {
        const permission = error.permissionName ?? READ_MESSAGES_PERMISSION;
        result.permissionErrors.push({ extensionId, permission });
        progress = { lastRunAt: at, permissionError: permission, lastError: describeError(error) };
      } else {
        result.errors.push({ extensionId, error: describeError(error) });
        progress = { lastRunAt: at, lastError: describeError(error) };
      }
    }
    await dependencies.registry.recordProgress(extensionId, progress);
  }
  return result;
}

/** Metric of extensions RingCentral refused to the service user (alarmed). */
export const PERMISSION_ERRORS_METRIC = 'ArchivePermissionErrors';

/**
 * The batch's own summaries (each run's are `summarizeArchiveRun`'s): the alarmed permission
 * metric (0 too, so the alarm has data) and one error line per refused extension, naming the
 * permission to grant; one per extension whose run threw.
 */
export function summarizeBatch(result: ExtensionBatchResult): RunSummary[] {
  const summaries: RunSummary[] = [
    {
      metrics: [
        { name: PERMISSION_ERRORS_METRIC, unit: 'Count', value: result.permissionErrors.length },
      ],
      log: {
        level: result.notReached.length > 0 ? 'warn' : 'info',
        message: 'Archive batch done',
        fields: { runs: result.runs.length, notReached: result.notReached },
      },
    },
  ];
  for (const failure of result.permissionErrors) {
    summaries.push({
      metrics: [],
      log: {
        level: 'error',
        message:
          `RingCentral refused the service user extension ${failure.extensionId}'s messages: ` +
          `grant the user permission ${failure.permission} for every extension (an administrator ` +
          'role whose scope is the whole account); until then it is not archived',
        fields: { extensionId: failure.extensionId, permission: failure.permission },
      },
    });
  }
  for (const failure of result.errors) {
    summaries.push({
      metrics: [],
      log: { level: 'error', message: 'Archiving an extension failed', fields: failure },
    });
  }
  return summaries;
}
