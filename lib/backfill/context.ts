/**
 * What one backfill run works with and adds up: its options, the result it fills in, the record
 * archiver and run outcome it shares with the archive function, its progress and checkpoint. The
 * export path and the list path both take this one object instead of sharing closures.
 */

import {
  type CustodyOptions,
  type CustodyRun,
  startCustodyRun,
} from '../archive/custody-ledger.ts';
import { ARCHIVE_DEFAULTS } from '../archive/defaults.ts';
import { isIdOnly } from '../archive/deleted-records.ts';
import { createMessageWriter, type MessageWriter } from '../archive/message-writer.ts';
import type { LocatorStore, ObjectStore } from '../archive/ports.ts';
import type { ArchiveCounts, RecordArchiver } from '../archive/record-archiver.ts';
import { createRecordArchiver, emptyCounts } from '../archive/record-archiver.ts';
import {
  type ArchiveCallOptions,
  createRunOutcome,
  type RunOutcome,
} from '../archive/run-outcome.ts';
import {
  AbortedError,
  type MessageRecord,
  type MessageType,
  type RingCentral,
} from '../ringcentral/index.ts';
import {
  type BackfillCheckpointStore,
  type CheckpointKeeper,
  openCheckpoint,
} from './checkpoint.ts';
import { type BackfillProgress, createProgressTracker, type ProgressTracker } from './progress.ts';
import { type BackfillRequest, backfillScope } from './request.ts';

/** The RingCentral operations the backfill uses. */
export type BackfillRingCentral = Pick<
  RingCentral,
  'exports' | 'messages' | 'attachments' | 'sync'
>;

/** Options of `runBackfill`. */
export interface BackfillOptions {
  ringCentral: BackfillRingCentral;
  objects: ObjectStore;
  /** Where each message's locator goes (the deployment's state table). */
  locators: LocatorStore;
  checkpoints: BackfillCheckpointStore;
  request: BackfillRequest;
  /** Extensions the listing fallback reads (the export covers the whole account); default `~`. */
  extensions?: readonly string[];
  /** `accountId` of the export requests; default `~`. */
  accountId?: string;
  /** How long to wait for the export task before falling back to listing; default 30 min. */
  exportWaitMs?: number;
  /** Longest pause between task polls (they start at 0.5 s and double); default 10 s. */
  pollIntervalMs?: number;
  /** Skip the export and list straight away. */
  forceList?: boolean;
  /**
   * List when the export is not available; default true. The account-wide archive turns it off:
   * its per-extension sync already lists, and an export it cannot use must fail loudly.
   */
  listFallback?: boolean;
  /**
   * Whether an export record's extension is archived; default every one. A record left out is
   * not counted, stored or downloaded (the account-wide archive applies the archive policy).
   */
  includeExtension?: (extensionId: string) => boolean;
  /** Messages the per-message path archives at once; default {@link ARCHIVE_DEFAULTS.concurrency}. */
  concurrency?: number;
  /**
   * Also read every uploaded attachment back (HEAD: size, and sha256 or entity tag where the store
   * reports them) before its message.json; default false. Without it each attachment is still
   * checked on its way up: the zip's CRC-32, the record's size, and its sha256 computed as it
   * streams (recorded in message.json).
   */
  verifyStored?: boolean;
  onProgress?: (progress: BackfillProgress) => void;
  /** Log lines for notable events (fallback, failed archive); default none. */
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** The chain of custody: with it, the run appends a custody manifest of what it stored. */
  custody?: CustodyOptions;
  /** Epoch ms by which to stop; default 7 days from now (a backfill is not a Lambda). */
  deadline?: number;
  now?: () => number;
}

/** One message (or archive) the backfill could not archive. */
export interface BackfillFailure {
  messageId: string;
  error: string;
}

/** What a backfill run did. */
export interface BackfillResult {
  mode: 'export' | 'list';
  /** Why the export was not used. */
  fallbackReason?: string;
  taskId?: string;
  /** Every message of the scope is archived. */
  complete: boolean;
  /** Records in the export's metadata, or listed. */
  messagesTotal: number;
  /** message.json written (new or changed). */
  messagesArchived: number;
  /** message.json already identical. */
  messagesUnchanged: number;
  attachmentsStored: number;
  /** Attachments already stored whole, not uploaded again. */
  attachmentsSkipped: number;
  /** Bytes uploaded as attachments. */
  bytesStored: number;
  /** Bytes read from export archives. */
  bytesDownloaded: number;
  archivesTotal: number;
  /** Archives a checkpoint said were done, not read again. */
  archivesSkipped: number;
  /** Messages the export did not deliver whole, archived one by one. */
  messagesByDownload: number;
  failures: BackfillFailure[];
  durationMs: number;
}

/** One backfill run; see the module comment. */
export interface BackfillRun {
  readonly options: BackfillOptions;
  readonly call: ArchiveCallOptions;
  readonly accountId: string;
  /** The end of the range (the request's, or the run's start). */
  readonly dateTo: string;
  readonly messageTypes: MessageType[] | undefined;
  readonly scope: string;
  readonly started: number;
  readonly now: () => number;
  /** The counters; `failures` is filled in from `outcome` when the run ends. */
  readonly result: BackfillResult;
  readonly outcome: RunOutcome;
  readonly records: RecordArchiver;
  readonly writer: MessageWriter;
  /** Records what the run stores; closed (appended to the chain) when the run ends. */
  readonly custody: CustodyRun | undefined;
  readonly progress: ProgressTracker;
  readonly checkpoint: CheckpointKeeper;
  /** Throws AbortedError once the run's signal is aborted. */
  throwIfAborted(): void;
  /** Archives records through the record archiver; throws AbortedError when that stopped. */
  archiveRecords(records: readonly MessageRecord[]): Promise<ArchiveCounts>;
}

function emptyResult(): BackfillResult {
  return {
    mode: 'export',
    complete: false,
    messagesTotal: 0,
    messagesArchived: 0,
    messagesUnchanged: 0,
    attachmentsStored: 0,
    attachmentsSkipped: 0,
    bytesStored: 0,
    bytesDownloaded: 0,
    archivesTotal: 0,
    archivesSkipped: 0,
    messagesByDownload: 0,
    failures: [],
    durationMs: 0,
  };
}

/** Adds what the record archiver did to the backfill's counters. */
function addCounts(result: BackfillResult, counts: ArchiveCounts): void {
  result.messagesArchived += counts.archivedMessages + counts.markedDeleted;
  result.messagesUnchanged += counts.unchangedMessages;
  result.attachmentsStored += counts.storedAttachments;
  result.attachmentsSkipped += counts.skippedAttachments;
  result.bytesStored += counts.archivedBytes;
}

/** Starts a run: defaults applied, its checkpoint loaded. */
export async function startBackfillRun(options: BackfillOptions): Promise<BackfillRun> {
  const { ringCentral, locators, request } = options;
  const now = options.now ?? Date.now;
  const custody = options.custody
    ? startCustodyRun(options.objects, { ...options.custody, kind: 'backfill', now })
    : undefined;
  const objects = custody?.objects ?? options.objects;
  const started = now();
  const deadline = options.deadline ?? started + 7 * 86_400_000;
  const accountId = options.accountId ?? '~';
  const signal = options.signal;
  const call: ArchiveCallOptions = { deadline, ...(signal ? { signal } : {}) };
  const scope = backfillScope(request, accountId);
  const result = emptyResult();
  const outcome = createRunOutcome(call, {
    now,
    checkpointMarginMs: ARCHIVE_DEFAULTS.checkpointMarginMs,
  });
  const records = createRecordArchiver({
    ringCentral,
    objects,
    locators,
    concurrency: options.concurrency ?? ARCHIVE_DEFAULTS.concurrency,
    now,
  });
  return {
    options,
    call,
    accountId,
    dateTo: request.dateTo ?? new Date(started).toISOString(),
    messageTypes: request.messageTypes ? [...request.messageTypes] : undefined,
    scope,
    started,
    now,
    result,
    outcome,
    records,
    writer: createMessageWriter(objects, locators),
    custody,
    progress: createProgressTracker(result, {
      started,
      now,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }),
    checkpoint: await openCheckpoint(options.checkpoints, scope),
    throwIfAborted() {
      if (signal?.aborted) throw new AbortedError('The backfill was interrupted');
    },
    async archiveRecords(batch) {
      const counts = emptyCounts();
      // Id-only records carry nothing to archive.
      const full = batch.filter((record) => !isIdOnly(record));
      await records.archive(full, counts, outcome);
      addCounts(result, counts);
      if (outcome.interrupted) {
        throw new AbortedError(outcome.result().stopReason ?? 'The backfill stopped');
      }
      return counts;
    },
  };
}
