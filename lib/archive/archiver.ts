/**
 * Archiving a mailbox: sync, then hand every record to the record archiver (attachments, then
 * message.json), then (only when every record the sync returned is archived) advance the cursor
 * (invariant 2). Talks to RingCentral through the client and to storage through the ports; knows
 * nothing of AWS.
 *
 * Extensions: the trimmed spec has no extension-listing endpoint, so the caller names the
 * extensions to archive (`~` is the token's own).
 */
import type { MessageRecord, RingCentral } from '../ringcentral/index.ts';
import { SyncTokenInvalidError } from '../ringcentral/index.ts';
import type { SyncResult } from '../ringcentral/types.ts';
import { type CustodyOptions, type CustodyRun, startCustodyRun } from './custody-ledger.ts';
import { ARCHIVE_DEFAULTS } from './defaults.ts';
import { isIdOnly, type Mailbox, markDeletedRecords } from './deleted-records.ts';
import { messageLocation } from './layout.ts';
import { createMessageWriter, type MessageWriteObserver } from './message-writer.ts';
import type { ArchiveCursor, CursorStore, LocatorStore, ObjectStore } from './ports.ts';
import { CursorConflictError } from './ports.ts';
import {
  type ArchiveCounts,
  clientOptions,
  createRecordArchiver,
  emptyCounts,
} from './record-archiver.ts';
import {
  type ArchiveCallOptions,
  createRunOutcome,
  type RunOutcome,
  type RunOutcomeResult,
} from './run-outcome.ts';

export type { ArchiveCallOptions, ArchiveFailure } from './run-outcome.ts';

/** The RingCentral operations the archiver uses. */
export type ArchiveRingCentral = Pick<RingCentral, 'sync' | 'messages' | 'attachments'>;

/** Points at which tests may observe (or kill) a run; production passes none. */
export type ArchiveObserver = MessageWriteObserver;

/** Options of {@link createArchiver}. */
export interface ArchiverOptions {
  ringCentral: ArchiveRingCentral;
  objects: ObjectStore;
  cursors: CursorStore;
  /** The id -> message.json index that lets deleted records find their archived copy. */
  locators: LocatorStore;
  /** FSync `dateFrom` on the first run and after MSG-333. */
  startDate: string | Date;
  /** Messages archived at once; default {@link ARCHIVE_DEFAULTS.concurrency}. */
  concurrency?: number;
  /** No new message is started with less than this left before the deadline; default 1500 ms. */
  checkpointMarginMs?: number;
  now?: () => number;
  observer?: ArchiveObserver;
  /**
   * The chain of custody: with it, each run appends a custody manifest of what it stored
   * (custody-ledger.ts). Without it (tests of other concerns) nothing is recorded.
   */
  custody?: CustodyOptions;
}

/** What one run did. */
export interface ArchiveRunResult extends ArchiveCounts, RunOutcomeResult {
  /** The configured extension (`~` or an id). */
  extension: string;
  mode: 'ISync' | 'FSync' | 'messages';
  /** Why a full sync ran. */
  fullSyncReason?: 'first-run' | 'MSG-333';
  /** Every record of the sync (or every id asked for) is archived. */
  complete: boolean;
  cursorAdvanced: boolean;
  /** Records the sync returned (or ids asked for). */
  records: number;
  /** Seconds between now and the cursor's syncTime after this run. */
  cursorLagSeconds?: number;
  /** The cursor's syncTime after this run: everything before it is archived when `complete`. */
  syncTime?: string;
}

/** The archiver. */
export interface Archiver {
  /** ISync (or FSync) one configured extension and archive what changed. */
  archiveExtension(extension: string, call: ArchiveCallOptions): Promise<ArchiveRunResult>;
  /** Archives these messages (e.g. from a webhook) without touching the cursor. */
  archiveMessages(
    extension: string,
    messageIds: readonly string[],
    call: ArchiveCallOptions,
  ): Promise<ArchiveRunResult>;
}

/** How a run synced: the mode, and why a full sync ran. */
interface SyncMode {
  mode: 'ISync' | 'FSync' | 'messages';
  fullSyncReason?: 'first-run' | 'MSG-333';
}

/** What the run result is made of besides the counts and the outcome. */
interface RunFacts extends SyncMode {
  extension: string;
  records: number;
  complete: boolean;
  cursorAdvanced: boolean;
  cursorLagSeconds: number | undefined;
  syncTime?: string | undefined;
}

function runResult(facts: RunFacts, counts: ArchiveCounts, outcome: RunOutcome): ArchiveRunResult {
  const { cursorLagSeconds, fullSyncReason, syncTime, ...rest } = facts;
  return {
    ...rest,
    ...(fullSyncReason ? { fullSyncReason } : {}),
    ...counts,
    ...outcome.result(),
    ...(cursorLagSeconds !== undefined ? { cursorLagSeconds } : {}),
    ...(syncTime !== undefined ? { syncTime } : {}),
  };
}

/** The mailbox a cursor names, with the ids its records reveal where the cursor lacks them. */
function learnMailbox(cursor: ArchiveCursor, records: readonly MessageRecord[]): Mailbox {
  const mailbox: Mailbox = { configured: cursor.extension };
  if (cursor.accountId) mailbox.accountId = cursor.accountId;
  if (cursor.extensionId) mailbox.extensionId = cursor.extensionId;
  else if (cursor.extension !== '~') mailbox.extensionId = cursor.extension;
  for (const record of records) {
    if (mailbox.accountId && mailbox.extensionId) break;
    if (isIdOnly(record)) continue;
    try {
      const location = messageLocation(record);
      mailbox.accountId ??= location.accountId;
      mailbox.extensionId ??= location.extensionId;
    } catch {
      // A record without a usable location fails on its own when archived.
    }
  }
  return mailbox;
}

/**
 * Appends the run's custody manifest; false when that failed. A failure is the run's failure
 * (reported, not thrown) and leaves the run incomplete, so the cursor stays where it was: the next
 * run archives the same records again and its manifest records them, instead of the chain
 * missing objects the cursor has already passed.
 */
async function closeCustody(
  custody: CustodyRun | undefined,
  outcome: RunOutcome,
): Promise<boolean> {
  try {
    await custody?.close();
    return true;
  } catch (error) {
    outcome.recordFailure('(custody)', error);
    return false;
  }
}

/** Creates the archiver. */
export function createArchiver(options: ArchiverOptions): Archiver {
  const { ringCentral, objects, cursors, locators, observer } = options;
  const now = options.now ?? Date.now;
  const checkpointMarginMs = options.checkpointMarginMs ?? ARCHIVE_DEFAULTS.checkpointMarginMs;
  const startDate =
    typeof options.startDate === 'string' ? options.startDate : options.startDate.toISOString();
  const concurrency = options.concurrency ?? ARCHIVE_DEFAULTS.concurrency;
  /** The pieces of one run, writing through the run's custody recorder when there is one. */
  const startRun = () => {
    const custody = options.custody
      ? startCustodyRun(objects, { ...options.custody, kind: 'archive', now })
      : undefined;
    const store = custody?.objects ?? objects;
    const recordArchiver = createRecordArchiver({
      ringCentral,
      objects: store,
      locators,
      concurrency,
      now,
      ...(observer ? { observer } : {}),
    });
    const deleted = {
      messages: ringCentral.messages,
      locators,
      writer: createMessageWriter(store, locators, observer),
      now,
    };
    return { custody, recordArchiver, deleted };
  };
  type RunParts = ReturnType<typeof startRun>;
  const startOutcome = (call: ArchiveCallOptions) =>
    createRunOutcome(call, { now, checkpointMarginMs });

  /** Archives every record of a sync; true when all of them are done. */
  const archiveAll = async (
    { recordArchiver, deleted }: RunParts,
    records: readonly MessageRecord[],
    mailbox: Mailbox,
    counts: ArchiveCounts,
    outcome: RunOutcome,
  ): Promise<boolean> => {
    const full = records.filter((record) => !isIdOnly(record));
    try {
      full.push(
        ...(await markDeletedRecords(deleted, records.filter(isIdOnly), mailbox, counts, outcome)),
      );
    } catch (error) {
      outcome.settle('(deleted records)', error);
      return false;
    }
    await recordArchiver.archive(full, counts, outcome);
    return !outcome.interrupted && !outcome.failed;
  };

  const fullSync = async (extension: string, call: ArchiveCallOptions): Promise<SyncResult> => {
    const synced = await ringCentral.sync(
      { syncType: 'FSync', dateFrom: startDate, extensionId: extension },
      clientOptions(call),
    );
    if (!synced.syncInfo.olderRecordsExist) return synced;
    // FSync returned only the newest records: list the rest of the range so none is missed.
    const seen = new Set(synced.records.map((record) => record.id));
    const oldest = synced.records.reduce(
      (earliest, record) => Math.min(earliest, Date.parse(record.creationTime ?? '') || earliest),
      now(),
    );
    const records = [...synced.records];
    for await (const page of ringCentral.messages.list(
      {
        extensionId: extension,
        dateFrom: startDate,
        dateTo: new Date(oldest + 1_000).toISOString(),
        perPage: 1000,
      },
      clientOptions(call),
    )) {
      for (const record of page.records) {
        if (seen.has(record.id)) continue;
        seen.add(record.id);
        records.push(record);
      }
    }
    return { ...synced, records };
  };

  /** ISync from the cursor's token, or FSync on the first run and after MSG-333 (noted in `mode`). */
  const syncExtension = async (
    extension: string,
    cursor: ArchiveCursor,
    mode: SyncMode,
    call: ArchiveCallOptions,
  ): Promise<SyncResult> => {
    if (cursor.syncToken) {
      try {
        return await ringCentral.sync(
          { syncType: 'ISync', syncToken: cursor.syncToken, extensionId: extension },
          clientOptions(call),
        );
      } catch (error) {
        if (!(error instanceof SyncTokenInvalidError)) throw error;
        Object.assign(mode, { mode: 'FSync', fullSyncReason: 'MSG-333' });
      }
    } else {
      Object.assign(mode, { mode: 'FSync', fullSyncReason: 'first-run' });
    }
    return fullSync(extension, call);
  };

  /** Moves the cursor past the sync; false when another run moved it first. */
  const advanceCursor = async (
    extension: string,
    cursor: ArchiveCursor,
    synced: SyncResult,
    mailbox: Mailbox,
  ): Promise<boolean> => {
    if (!synced.syncInfo.syncToken) return false;
    try {
      await cursors.advance(
        extension,
        {
          syncToken: synced.syncInfo.syncToken,
          ...(synced.syncInfo.syncTime ? { syncTime: synced.syncInfo.syncTime } : {}),
          ...(mailbox.accountId ? { accountId: mailbox.accountId } : {}),
          ...(mailbox.extensionId ? { extensionId: mailbox.extensionId } : {}),
        },
        cursor.version,
      );
      return true;
    } catch (error) {
      // What this run archived stays archived.
      if (!(error instanceof CursorConflictError)) throw error;
      return false;
    }
  };

  const lagSeconds = (syncTime: string | undefined): number | undefined => {
    const time = syncTime ? Date.parse(syncTime) : Number.NaN;
    return Number.isNaN(time) ? undefined : Math.max(0, (now() - time) / 1000);
  };

  /** The records of these ids; failures and interruptions go to `outcome`. */
  const fetchMessages = async (
    extension: string,
    ids: [string, ...string[]],
    outcome: RunOutcome,
  ): Promise<MessageRecord[]> => {
    const records: MessageRecord[] = [];
    const fetched = await ringCentral.messages.getMany(ids, {
      extensionId: extension,
      ...clientOptions(outcome.call),
    });
    for (const item of fetched) {
      if (item.ok && item.body) records.push(item.body);
      else if (!item.ok && item.status !== 404) {
        if (outcome.isInterruption(item.error)) throw item.error;
        outcome.recordFailure(item.id, item.error);
      }
    }
    return records.filter((record) => !isIdOnly(record));
  };

  return {
    async archiveExtension(extension, call) {
      const cursor = await cursors.get(extension);
      const outcome = startOutcome(call);
      const counts = emptyCounts();
      const mode: SyncMode = { mode: 'ISync' };
      const facts = { extension, records: 0, complete: false, cursorAdvanced: false };
      let synced: SyncResult;
      try {
        synced = await syncExtension(extension, cursor, mode, call);
      } catch (error) {
        if (!outcome.isInterruption(error)) throw error;
        outcome.interrupt(error);
        const cursorLagSeconds = lagSeconds(cursor.syncTime);
        return runResult({ ...facts, ...mode, cursorLagSeconds }, counts, outcome);
      }
      const mailbox = learnMailbox(cursor, synced.records);
      const parts = startRun();
      const archived = await archiveAll(parts, synced.records, mailbox, counts, outcome);
      const complete = (await closeCustody(parts.custody, outcome)) && archived;
      const cursorAdvanced = complete && (await advanceCursor(extension, cursor, synced, mailbox));
      const syncTime = cursorAdvanced
        ? (synced.syncInfo.syncTime ?? cursor.syncTime)
        : cursor.syncTime;
      return runResult(
        {
          ...facts,
          ...mode,
          records: synced.records.length,
          complete,
          cursorAdvanced,
          cursorLagSeconds: lagSeconds(syncTime),
          syncTime,
        },
        counts,
        outcome,
      );
    },

    async archiveMessages(extension, messageIds, call) {
      const outcome = startOutcome(call);
      const counts = emptyCounts();
      const ids = [...new Set(messageIds)];
      const facts = {
        extension,
        mode: 'messages' as const,
        records: ids.length,
        complete: ids.length === 0,
        cursorAdvanced: false,
        cursorLagSeconds: undefined,
      };
      if (ids.length === 0) return runResult(facts, counts, outcome);
      const cursor = await cursors.get(extension);
      let records: MessageRecord[];
      try {
        records = await fetchMessages(extension, ids as [string, ...string[]], outcome);
      } catch (error) {
        if (!outcome.isInterruption(error)) throw error;
        outcome.interrupt(error);
        return runResult(facts, counts, outcome);
      }
      const mailbox = learnMailbox(cursor, records);
      const parts = startRun();
      const archived = await archiveAll(parts, records, mailbox, counts, outcome);
      const complete = (await closeCustody(parts.custody, outcome)) && archived;
      return runResult({ ...facts, complete }, counts, outcome);
    },
  };
}
