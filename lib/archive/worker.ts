/**
 * What the archive worker does with one event: the dispatcher's batch of extension ids
 * (lib/archive/extension-batch.ts) or the webhook's hand-off of new message ids, and the metrics
 * and log lines of what it did.
 */
import type { ExtensionRegistry } from '../extensions/ports.ts';
import * as z from '../validation/zod.ts';
import type { ArchiveRunResult, Archiver } from './archiver.ts';
import {
  archiveExtensionBatch,
  type PermissionFailure,
  summarizeBatch,
} from './extension-batch.ts';
import type { ArchiveCallOptions } from './run-outcome.ts';
import { publishRunSummary, type RunSummarySink, summarizeArchiveRun } from './run-summary.ts';
import { extensionId, extensionRef } from './settings.ts';

/** The dispatcher's batch, or the webhook's hand-off of new message ids. */
export const archiveWorkerEvent = z.looseObject({
  extensionIds: z.optional(z.array(extensionId).check(z.maxLength(1000))),
  extensionId: z.optional(extensionRef),
  messageIds: z.optional(z.array(extensionId).check(z.maxLength(1000))),
});

/** A validated worker event. */
export type ArchiveWorkerEvent = z.infer<typeof archiveWorkerEvent>;

/** What a worker invocation reports (also the function's return value). */
export interface ArchiveOutcome {
  runs: ArchiveRunResult[];
  /** Ids of the batch the deadline came before. */
  notReached?: string[];
  permissionErrors?: PermissionFailure[];
}

/** Runs one worker event and publishes its summaries. */
export async function runArchiveWorker(
  dependencies: {
    archiver: Archiver;
    registry: Pick<ExtensionRegistry, 'recordProgress'>;
    sink: RunSummarySink;
  },
  event: ArchiveWorkerEvent,
  call: ArchiveCallOptions,
): Promise<ArchiveOutcome> {
  const { archiver, registry, sink } = dependencies;
  if (event.messageIds && event.messageIds.length > 0) {
    const run = await archiver.archiveMessages(event.extensionId ?? '~', event.messageIds, call);
    publishRunSummary(summarizeArchiveRun(run), sink);
    return { runs: [run] };
  }
  const batch = await archiveExtensionBatch({ archiver, registry }, event.extensionIds ?? [], call);
  for (const run of batch.runs) publishRunSummary(summarizeArchiveRun(run), sink);
  for (const summary of summarizeBatch(batch)) publishRunSummary(summary, sink);
  const { runs, notReached, permissionErrors } = batch;
  return { runs, notReached, permissionErrors };
}
