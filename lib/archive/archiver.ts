/**
 * Archiving a mailbox: sync, store every attachment, then message.json, then (only when every
 * record the sync returned is archived) advance the cursor (invariant 2). Talks to RingCentral
 * through the client and to storage through the ports; knows nothing of AWS.
 *
 * Extensions: the trimmed spec has no extension-listing endpoint, so the caller names the
 * extensions to archive (`~` is the token's own).
 */
import type { Readable } from 'node:stream';
import type { CallOptions, MessageRecord, RingCentral } from '../ringcentral/index.ts';
import {
  AbortedError,
  DeadlineExceededError,
  NotFoundError,
  SyncTokenInvalidError,
} from '../ringcentral/index.ts';
import type { MessageAttachment, MessageAvailability, SyncResult } from '../ringcentral/types.ts';
import { type MessageLocation, messageKey, messageLocation } from './layout.ts';
import { createListedObjectStore, dayPrefix, LIST_MIN_RECORDS } from './listed-objects.ts';
import {
  type ArchivedAttachment,
  type ArchiveManifest,
  buildManifest,
  type MissingAttachment,
  markManifestDeleted,
} from './manifest.ts';
import {
  createMessageWriter,
  type MessageWriteObserver,
  type MessageWriter,
  type StoredManifest,
} from './message-writer.ts';
import type { ArchiveCursor, CursorStore, LocatorStore, ObjectStore } from './ports.ts';
import { CursorConflictError } from './ports.ts';

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
  /** Messages archived at once; default 4. */
  concurrency?: number;
  /** No new message is started with less than this left before the deadline; default 1500 ms. */
  checkpointMarginMs?: number;
  now?: () => number;
  observer?: ArchiveObserver;
}

/** The deadline and signal of a run (the job's). */
export interface ArchiveCallOptions {
  /** Epoch ms by which the run must have stopped. */
  deadline: number;
  signal?: AbortSignal;
}

/** One message that could not be archived in this run. */
export interface ArchiveFailure {
  messageId: string;
  error: string;
}

/** What one run did. */
export interface ArchiveRunResult {
  /** The configured extension (`~` or an id). */
  extension: string;
  mode: 'ISync' | 'FSync' | 'messages';
  /** Why a full sync ran. */
  fullSyncReason?: 'first-run' | 'MSG-333';
  /** Every record of the sync (or every id asked for) is archived. */
  complete: boolean;
  /** The run stopped at a checkpoint because the deadline was near. */
  stoppedAtDeadline: boolean;
  /** What stopped it (the interrupting error, or the checkpoint), for logs. */
  stopReason?: string;
  cursorAdvanced: boolean;
  /** Records the sync returned (or ids asked for). */
  records: number;
  /** message.json written (new or changed). */
  archivedMessages: number;
  /** message.json already identical. */
  unchangedMessages: number;
  /** Archived copies marked deleted or purged. */
  markedDeleted: number;
  storedAttachments: number;
  skippedAttachments: number;
  /** Attachments RingCentral no longer had when we came to download them. */
  missingAttachments: number;
  archivedBytes: number;
  failures: ArchiveFailure[];
  /** Seconds between now and the cursor's syncTime after this run. */
  cursorLagSeconds?: number;
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
  /**
   * Archives full records already in hand (e.g. listed by the backfill) without reading or moving
   * any cursor; attachments already stored whole are not downloaded again.
   */
  archiveRecords(
    extension: string,
    records: readonly MessageRecord[],
    call: ArchiveCallOptions,
  ): Promise<ArchiveRunResult>;
}

/** The run ran out of time inside a message: not a failure, the next run resumes. */
class StopAtCheckpoint extends Error {
  override readonly name = 'StopAtCheckpoint';
}

function isInterruption(error: unknown, call: ArchiveCallOptions, now: number): boolean {
  if (error instanceof DeadlineExceededError || error instanceof AbortedError) return true;
  if (error instanceof StopAtCheckpoint) return true;
  if (call.signal?.aborted) return true;
  // S3/SDK aborts surface as AbortError; past the deadline anything is an interruption.
  return (error instanceof Error && error.name === 'AbortError') || now >= call.deadline;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500);
  return String(error).slice(0, 500);
}

function isIdOnly(record: MessageRecord): boolean {
  return record.creationTime === undefined;
}

/** Runs `work` over `items` with at most `limit` at once; stops taking new items when told. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  shouldStop: () => boolean,
  work: (item: T) => Promise<void>,
): Promise<{ started: number }> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !shouldStop()) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return { started: next };
}

function emptyResult(extension: string, mode: ArchiveRunResult['mode']): ArchiveRunResult {
  return {
    extension,
    mode,
    complete: false,
    stoppedAtDeadline: false,
    cursorAdvanced: false,
    records: 0,
    archivedMessages: 0,
    unchangedMessages: 0,
    markedDeleted: 0,
    storedAttachments: 0,
    skippedAttachments: 0,
    missingAttachments: 0,
    archivedBytes: 0,
    failures: [],
  };
}

/** Creates the archiver. */
export function createArchiver(options: ArchiverOptions): Archiver {
  const { ringCentral, objects, cursors, locators, observer } = options;
  const now = options.now ?? Date.now;
  const concurrency = options.concurrency ?? 4;
  const margin = options.checkpointMarginMs ?? 1_500;
  const startDate =
    typeof options.startDate === 'string' ? options.startDate : options.startDate.toISOString();

  const clientOptions = (call: ArchiveCallOptions): CallOptions => ({
    deadline: call.deadline,
    ...(call.signal ? { signal: call.signal } : {}),
  });

  const writer = createMessageWriter(objects, locators, observer);
  // A damaged message.json reads as `manifest: undefined` and is rewritten from the record.
  const readManifest = (key: string) => writer.readManifest(key);

  // Every message.json the archiver writes either replaces an earlier one or belongs to a record
  // whose locator went up with the run's (archiveRecords), so none writes its own locator.
  const writeManifest = (
    manifest: ArchiveManifest,
    previous: StoredManifest | undefined,
    call: ArchiveCallOptions,
    through: MessageWriter = writer,
  ): Promise<boolean> =>
    through.commitManifest(manifest, previous, {
      ...(call.signal ? { signal: call.signal } : {}),
      locatorWritten: true,
    });

  /** Stores one attachment unless an object of the same size (with its sha256) is there. */
  const storeAttachment = async (
    location: MessageLocation,
    record: MessageRecord,
    attachment: MessageAttachment,
    known: ArchivedAttachment | undefined,
    result: ArchiveRunResult,
    call: ArchiveCallOptions,
    writer: MessageWriter,
  ): Promise<ArchivedAttachment | 'gone'> => {
    const stored = await writer.findStoredAttachment(
      location,
      attachment,
      known,
      call.signal ? { signal: call.signal } : {},
    );
    if (stored) {
      result.skippedAttachments += 1;
      return stored;
    }
    if (now() >= call.deadline - margin) throw new StopAtCheckpoint('Deadline near');
    let content: { stream: Readable; size: number | undefined; totalSize: number | undefined };
    try {
      content = await ringCentral.attachments.read(
        attachment.uri
          ? { uri: attachment.uri }
          : {
              extensionId: location.extensionId,
              messageId: record.id,
              attachmentId: attachment.id,
            },
        clientOptions(call),
      );
    } catch (error) {
      if (error instanceof NotFoundError) return 'gone';
      throw error;
    }
    const expected = attachment.size ?? content.totalSize ?? content.size;
    try {
      const entry = await writer.storeAttachment(location, attachment, content.stream, {
        ...(expected !== undefined ? { expectedSize: expected } : {}),
        ...(call.signal ? { signal: call.signal } : {}),
      });
      result.storedAttachments += 1;
      result.archivedBytes += entry.size;
      return entry;
    } finally {
      content.stream.destroy();
    }
  };

  /**
   * Archives one full record: attachments first, then message.json last. Its locator went up
   * with those of the whole run, before any record.
   */
  const archiveFullRecord = async (
    record: MessageRecord,
    result: ArchiveRunResult,
    call: ArchiveCallOptions,
    writer: MessageWriter,
  ): Promise<void> => {
    const location = messageLocation(record);
    const key = messageKey(location);
    const previous = await writer.readManifest(key);
    const availability: MessageAvailability = record.availability ?? 'Alive';
    const nowIso = () => new Date(now()).toISOString();
    if (availability !== 'Alive' && previous?.manifest) {
      // Keep the copy archived while the message was whole; only mark it.
      const marked = markManifestDeleted(previous.manifest, availability, nowIso());
      if (await writeManifest(marked, previous, call, writer)) result.markedDeleted += 1;
      else result.unchangedMessages += 1;
      return;
    }
    const knownById = new Map(
      (previous?.manifest?.attachments ?? []).map((entry) => [entry.id, entry]),
    );
    const attachments: ArchivedAttachment[] = [];
    const missing: MissingAttachment[] = [];
    for (const attachment of record.attachments ?? []) {
      const stored = await storeAttachment(
        location,
        record,
        attachment,
        knownById.get(attachment.id),
        result,
        call,
        writer,
      );
      knownById.delete(attachment.id);
      if (stored === 'gone') {
        missing.push({
          id: attachment.id,
          reason: 'GoneBeforeDownload',
          ...(attachment.contentType !== undefined ? { contentType: attachment.contentType } : {}),
          ...(attachment.fileName !== undefined ? { fileName: attachment.fileName } : {}),
          ...(attachment.size !== undefined ? { declaredSize: attachment.size } : {}),
        });
      } else {
        attachments.push(stored);
      }
    }
    // Archived data is never dropped: entries of an earlier copy stay listed.
    attachments.push(...knownById.values());
    let finalAvailability = availability;
    if (missing.length > 0) {
      // Ask once why the bytes are gone; only a deleted or purged message may lose them.
      let current: MessageRecord | undefined;
      try {
        current = await ringCentral.messages.get(record.id, {
          extensionId: location.extensionId,
          ...clientOptions(call),
        });
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
      const currentAvailability = current?.availability ?? 'Purged';
      if (currentAvailability === 'Alive') {
        throw new Error(`Attachments of message ${record.id} are not found, yet it is Alive`);
      }
      finalAvailability = currentAvailability;
      result.missingAttachments += missing.length;
    }
    const manifest = buildManifest({
      record,
      attachments,
      missingAttachments: missing,
      availability: finalAvailability,
      ...(finalAvailability !== 'Alive'
        ? { deletedAt: previous?.manifest?.deletedAt ?? nowIso() }
        : {}),
    });
    if (await writeManifest(manifest, previous, call, writer)) {
      if (finalAvailability !== 'Alive') result.markedDeleted += 1;
      else result.archivedMessages += 1;
    } else {
      result.unchangedMessages += 1;
    }
  };

  /**
   * An id-only record (deleted or purged, from ISync): mark the archived copy through its
   * locator; with no copy, fetch the record (a Deleted message still has its attachments).
   */
  const handleIdOnly = async (
    records: readonly MessageRecord[],
    mailbox: { accountId?: string; extensionId?: string; configured: string },
    result: ArchiveRunResult,
    call: ArchiveCallOptions,
  ): Promise<MessageRecord[]> => {
    const unknown: string[] = [];
    for (const record of records) {
      if (now() >= call.deadline - margin) throw new StopAtCheckpoint('Deadline near');
      const availability = record.availability ?? 'Deleted';
      let located = false;
      if (mailbox.accountId && mailbox.extensionId && availability !== 'Alive') {
        const key = await locators.get(mailbox.accountId, mailbox.extensionId, record.id);
        const previous = key ? await readManifest(key) : undefined;
        if (key && previous?.manifest) {
          located = true;
          const marked = markManifestDeleted(
            previous.manifest,
            availability,
            new Date(now()).toISOString(),
          );
          if (await writeManifest(marked, previous, call)) result.markedDeleted += 1;
          else result.unchangedMessages += 1;
        }
      }
      if (!located) unknown.push(record.id);
    }
    if (unknown.length === 0) return [];
    const fetched: MessageRecord[] = [];
    const results = await ringCentral.messages.getMany(unknown as [string, ...string[]], {
      extensionId: mailbox.configured,
      ...clientOptions(call),
    });
    for (const item of results) {
      if (item.ok && item.body) fetched.push(item.body);
      else if (!item.ok && item.status === 404) {
        // Gone for good and never archived: nothing exists to keep.
        result.unchangedMessages += 1;
      } else if (!item.ok) {
        if (isInterruption(item.error, call, now())) throw item.error;
        result.failures.push({ messageId: item.id, error: describe(item.error) });
      }
    }
    return fetched;
  };

  /** Archives every record; returns whether all of them are done. */
  const archiveRecords = async (
    records: readonly MessageRecord[],
    mailbox: { accountId?: string; extensionId?: string; configured: string },
    result: ArchiveRunResult,
    call: ArchiveCallOptions,
  ): Promise<boolean> => {
    const full = records.filter((record) => !isIdOnly(record));
    const idOnly = records.filter(isIdOnly);
    try {
      full.push(...(await handleIdOnly(idOnly, mailbox, result, call)));
    } catch (error) {
      if (isInterruption(error, call, now())) {
        result.stoppedAtDeadline = true;
        result.stopReason ??= describe(error);
        return false;
      }
      result.failures.push({ messageId: '(deleted records)', error: describe(error) });
      return false;
    }
    // A day with several records is listed once instead of asking about each object.
    const listed = createListedObjectStore(objects, call.signal ? { signal: call.signal } : {});
    const recordsPerDay = new Map<string, number>();
    const locations: MessageLocation[] = [];
    for (const record of full) {
      try {
        const location = messageLocation(record);
        locations.push(location);
        const day = dayPrefix(location);
        recordsPerDay.set(day, (recordsPerDay.get(day) ?? 0) + 1);
      } catch {
        // A record without a usable location fails on its own when archived.
      }
    }
    try {
      // Every record's locator at once: a few batch writes instead of one write per message.
      await writer.writeLocators(locations, call.signal ? { signal: call.signal } : {});
    } catch (error) {
      if (isInterruption(error, call, now())) {
        result.stoppedAtDeadline = true;
        result.stopReason ??= describe(error);
      } else {
        result.failures.push({ messageId: '(locators)', error: describe(error) });
      }
      return false;
    }
    for (const [day, count] of recordsPerDay) {
      // At most a page per LIST_MIN_RECORDS records: the listing never costs more than it saves.
      if (count >= LIST_MIN_RECORDS) listed.plan(day, Math.floor(count / LIST_MIN_RECORDS));
    }
    const runWriter = createMessageWriter(listed, locators, observer);
    let interrupted = false;
    const { started } = await forEachLimited(
      full,
      concurrency,
      () => interrupted || now() >= call.deadline - margin || call.signal?.aborted === true,
      async (record) => {
        try {
          await archiveFullRecord(record, result, call, runWriter);
        } catch (error) {
          if (isInterruption(error, call, now())) {
            interrupted = true;
            result.stopReason ??= describe(error);
            return;
          }
          result.failures.push({ messageId: record.id, error: describe(error) });
        }
      },
    );
    if (interrupted || started < full.length) {
      result.stoppedAtDeadline = true;
      result.stopReason ??= 'Checkpoint: the deadline is near';
      return false;
    }
    return result.failures.length === 0;
  };

  const learnMailbox = (
    cursor: ArchiveCursor,
    records: readonly MessageRecord[],
  ): { accountId?: string; extensionId?: string; configured: string } => {
    const mailbox: { accountId?: string; extensionId?: string; configured: string } = {
      configured: cursor.extension,
    };
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

  const lagSeconds = (syncTime: string | undefined): number | undefined => {
    const time = syncTime ? Date.parse(syncTime) : Number.NaN;
    return Number.isNaN(time) ? undefined : Math.max(0, (now() - time) / 1000);
  };

  return {
    async archiveExtension(extension, call) {
      const cursor = await cursors.get(extension);
      let synced: SyncResult | undefined;
      let result = emptyResult(extension, 'ISync');
      try {
        if (cursor.syncToken) {
          try {
            synced = await ringCentral.sync(
              { syncType: 'ISync', syncToken: cursor.syncToken, extensionId: extension },
              clientOptions(call),
            );
          } catch (error) {
            if (!(error instanceof SyncTokenInvalidError)) throw error;
            result = { ...emptyResult(extension, 'FSync'), fullSyncReason: 'MSG-333' };
          }
        } else {
          result = { ...emptyResult(extension, 'FSync'), fullSyncReason: 'first-run' };
        }
        synced ??= await fullSync(extension, call);
      } catch (error) {
        if (isInterruption(error, call, now())) {
          result.stoppedAtDeadline = true;
          result.stopReason = describe(error);
          const lag = lagSeconds(cursor.syncTime);
          if (lag !== undefined) result.cursorLagSeconds = lag;
          return result;
        }
        throw error;
      }
      result.records = synced.records.length;
      const mailbox = learnMailbox(cursor, synced.records);
      const done = await archiveRecords(synced.records, mailbox, result, call);
      result.complete = done;
      let syncTime = cursor.syncTime;
      if (done && synced.syncInfo.syncToken) {
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
          result.cursorAdvanced = true;
          syncTime = synced.syncInfo.syncTime ?? syncTime;
        } catch (error) {
          // Another run moved it first; what this run archived stays archived.
          if (!(error instanceof CursorConflictError)) throw error;
        }
      }
      const lag = lagSeconds(syncTime);
      if (lag !== undefined) result.cursorLagSeconds = lag;
      return result;
    },

    async archiveMessages(extension, messageIds, call) {
      const result = emptyResult(extension, 'messages');
      const ids = [...new Set(messageIds)];
      result.records = ids.length;
      if (ids.length === 0) {
        result.complete = true;
        return result;
      }
      const cursor = await cursors.get(extension);
      let records: MessageRecord[] = [];
      try {
        const fetched = await ringCentral.messages.getMany(ids as [string, ...string[]], {
          extensionId: extension,
          ...clientOptions(call),
        });
        for (const item of fetched) {
          if (item.ok && item.body) records.push(item.body);
          else if (!item.ok && item.status !== 404) {
            if (isInterruption(item.error, call, now())) throw item.error;
            result.failures.push({ messageId: item.id, error: describe(item.error) });
          }
        }
      } catch (error) {
        if (isInterruption(error, call, now())) {
          result.stoppedAtDeadline = true;
          result.stopReason = describe(error);
          return result;
        }
        throw error;
      }
      records = records.filter((record) => !isIdOnly(record));
      const mailbox = learnMailbox(cursor, records);
      result.complete = await archiveRecords(records, mailbox, result, call);
      return result;
    },

    async archiveRecords(extension, records, call) {
      const result = emptyResult(extension, 'messages');
      const full = records.filter((record) => !isIdOnly(record));
      result.records = full.length;
      const mailbox = learnMailbox({ extension, version: 0 }, full);
      result.complete = await archiveRecords(full, mailbox, result, call);
      return result;
    },
  };
}
