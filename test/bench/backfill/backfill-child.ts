/**
 * Child process: the project's backfill (lib/backfill/run.ts) through the message-store
 * export into a fresh bucket on s3rver, as `npm run backfill` runs it. Reports when the archives
 * started to flow, so the parent can compare the transfer with the plain copy's.
 */

import { createS3ObjectStore } from '../../../lib/aws/s3-object-store.ts';
import { createMemoryCheckpointStore } from '../../../lib/backfill/checkpoint.ts';
import { runBackfill } from '../../../lib/backfill/run.ts';
import {
  type ArchiveTargets,
  benchRingCentral,
  benchS3Client,
  benchStateStores,
} from '../archive/targets.ts';
import { runAsChild } from '../support/child-process.ts';

/** What the parent sends. */
export interface BackfillChildInput {
  targets: ArchiveTargets;
  dateFrom: string;
}

/** What the child reports. */
export interface BackfillChildResult {
  mode: 'export' | 'list';
  complete: boolean;
  messages: number;
  attachments: number;
  /** Bytes of attachments stored. */
  attachmentBytes: number;
  /** Bytes of export archives read. */
  archiveBytes: number;
  /** From the call to the end. */
  durationMs: number;
  /** From the first archive byte's phase (the task completed) to the end. */
  transferMs: number;
}

runAsChild<BackfillChildInput, BackfillChildResult>(async (input) => {
  const { rc, tokenSource } = benchRingCentral(input.targets);
  await tokenSource.getToken();
  const objects = createS3ObjectStore({
    bucket: input.targets.bucket,
    client: benchS3Client(input.targets),
  });
  const startedAt = Date.now();
  let downloadingAt: number | undefined;
  const result = await runBackfill({
    ringCentral: rc,
    objects,
    locators: benchStateStores(input.targets).locators,
    checkpoints: createMemoryCheckpointStore(),
    request: { dateFrom: input.dateFrom },
    pollIntervalMs: 200,
    onProgress: (progress) => {
      if (progress.phase === 'downloading') downloadingAt ??= Date.now();
    },
  });
  const endedAt = Date.now();
  return {
    mode: result.mode,
    complete: result.complete,
    messages: result.messagesTotal,
    attachments: result.attachmentsStored,
    attachmentBytes: result.bytesStored,
    archiveBytes: result.bytesDownloaded,
    durationMs: endedAt - startedAt,
    transferMs: endedAt - (downloadingAt ?? startedAt),
  };
});
