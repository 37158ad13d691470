/**
 * The record archiver: archives full message records (each attachment first, then message.json
 * last) and their locators. The archive run hands it what a sync returned, the backfill what an
 * export or a listing did not deliver whole; neither cursor nor checkpoint is its business, so a
 * caller moves those only once it reports every record done (invariant 2).
 *
 * Attachments already stored whole (same size, with their sha256) are not downloaded again.
 */
import type { Readable } from 'node:stream';
import type { CallOptions, MessageRecord, RingCentral } from '../ringcentral/index.ts';
import { NotFoundError } from '../ringcentral/index.ts';
import type { MessageAttachment, MessageAvailability } from '../ringcentral/types.ts';
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
import type { LocatorStore, ObjectStore } from './ports.ts';
import type { ArchiveCallOptions, RunOutcome } from './run-outcome.ts';

/** The RingCentral operations the record archiver uses. */
export type RecordArchiverRingCentral = Pick<RingCentral, 'messages' | 'attachments'>;

/** What archiving records did, added up over a run. */
export interface ArchiveCounts {
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
}

/** Counts of nothing yet. */
export function emptyCounts(): ArchiveCounts {
  return {
    archivedMessages: 0,
    unchangedMessages: 0,
    markedDeleted: 0,
    storedAttachments: 0,
    skippedAttachments: 0,
    missingAttachments: 0,
    archivedBytes: 0,
  };
}

/** Options of {@link createRecordArchiver}. */
export interface RecordArchiverOptions {
  ringCentral: RecordArchiverRingCentral;
  objects: ObjectStore;
  locators: LocatorStore;
  /** Messages archived at once. */
  concurrency: number;
  now: () => number;
  observer?: MessageWriteObserver;
}

/** Archives full records; see the module comment. */
export interface RecordArchiver {
  /**
   * Archives every record (none may be id-only), adding to `counts` and recording failures and
   * interruptions in `outcome`. Stops starting records once `outcome.shouldStop()`.
   */
  archive(
    records: readonly MessageRecord[],
    counts: ArchiveCounts,
    outcome: RunOutcome,
  ): Promise<void>;
}

/** The client's options for a run's call. */
export function clientOptions(call: ArchiveCallOptions): CallOptions {
  return { deadline: call.deadline, ...(call.signal ? { signal: call.signal } : {}) };
}

/** The signal option of a store call, if the run has one. */
export function signalOption(call: ArchiveCallOptions): { signal?: AbortSignal } {
  return call.signal ? { signal: call.signal } : {};
}

/**
 * Writes message.json. Every message.json the archive writes either replaces an earlier one or
 * belongs to a record whose locator went up with the run's, so none writes its own locator.
 */
export function commitManifest(
  writer: MessageWriter,
  manifest: ArchiveManifest,
  previous: StoredManifest | undefined,
  call: ArchiveCallOptions,
): Promise<boolean> {
  return writer.commitManifest(manifest, previous, { ...signalOption(call), locatorWritten: true });
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

function missingEntry(attachment: MessageAttachment): MissingAttachment {
  return {
    id: attachment.id,
    reason: 'GoneBeforeDownload',
    ...(attachment.contentType !== undefined ? { contentType: attachment.contentType } : {}),
    ...(attachment.fileName !== undefined ? { fileName: attachment.fileName } : {}),
    ...(attachment.size !== undefined ? { declaredSize: attachment.size } : {}),
  };
}

/** The locations of the records, and how many records fall on each day. */
function locateRecords(records: readonly MessageRecord[]): {
  locations: MessageLocation[];
  recordsPerDay: Map<string, number>;
} {
  const recordsPerDay = new Map<string, number>();
  const locations: MessageLocation[] = [];
  for (const record of records) {
    try {
      const location = messageLocation(record);
      locations.push(location);
      const day = dayPrefix(location);
      recordsPerDay.set(day, (recordsPerDay.get(day) ?? 0) + 1);
    } catch {
      // A record without a usable location fails on its own when archived.
    }
  }
  return { locations, recordsPerDay };
}

/** Creates the record archiver. */
export function createRecordArchiver(options: RecordArchiverOptions): RecordArchiver {
  const { ringCentral, objects, locators, concurrency, now, observer } = options;
  const writer = createMessageWriter(objects, locators, observer);

  /** Downloads one attachment into its object; 'gone' when RingCentral no longer has it. */
  const downloadAttachment = async (
    location: MessageLocation,
    record: MessageRecord,
    attachment: MessageAttachment,
    counts: ArchiveCounts,
    call: ArchiveCallOptions,
    through: MessageWriter,
  ): Promise<ArchivedAttachment | 'gone'> => {
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
      const entry = await through.storeAttachment(location, attachment, content.stream, {
        ...(expected !== undefined ? { expectedSize: expected } : {}),
        ...signalOption(call),
      });
      counts.storedAttachments += 1;
      counts.archivedBytes += entry.size;
      return entry;
    } finally {
      content.stream.destroy();
    }
  };

  /** Stores one attachment unless an object of the same size (with its sha256) is there. */
  const storeAttachment = async (
    location: MessageLocation,
    record: MessageRecord,
    attachment: MessageAttachment,
    known: ArchivedAttachment | undefined,
    counts: ArchiveCounts,
    outcome: RunOutcome,
    through: MessageWriter,
  ): Promise<ArchivedAttachment | 'gone'> => {
    const { call } = outcome;
    const stored = await through.findStoredAttachment(
      location,
      attachment,
      known,
      signalOption(call),
    );
    if (stored) {
      counts.skippedAttachments += 1;
      return stored;
    }
    outcome.checkpoint();
    return downloadAttachment(location, record, attachment, counts, call, through);
  };

  /** Why the bytes of a record's attachments are gone; only a deleted or purged message may lose them. */
  const availabilityOfGone = async (
    record: MessageRecord,
    location: MessageLocation,
    call: ArchiveCallOptions,
  ): Promise<MessageAvailability> => {
    let current: MessageRecord | undefined;
    try {
      current = await ringCentral.messages.get(record.id, {
        extensionId: location.extensionId,
        ...clientOptions(call),
      });
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    const availability = current?.availability ?? 'Purged';
    if (availability === 'Alive') {
      throw new Error(`Attachments of message ${record.id} are not found, yet it is Alive`);
    }
    return availability;
  };

  /** Stores every attachment of a record; entries of an earlier copy are never dropped. */
  const storeAttachments = async (
    record: MessageRecord,
    location: MessageLocation,
    previous: StoredManifest | undefined,
    counts: ArchiveCounts,
    outcome: RunOutcome,
    through: MessageWriter,
  ): Promise<{ attachments: ArchivedAttachment[]; missing: MissingAttachment[] }> => {
    const knownById = new Map(
      (previous?.manifest?.attachments ?? []).map((entry) => [entry.id, entry]),
    );
    const attachments: ArchivedAttachment[] = [];
    const missing: MissingAttachment[] = [];
    for (const attachment of record.attachments ?? []) {
      const known = knownById.get(attachment.id);
      const stored = await storeAttachment(
        location,
        record,
        attachment,
        known,
        counts,
        outcome,
        through,
      );
      knownById.delete(attachment.id);
      if (stored === 'gone') missing.push(missingEntry(attachment));
      else attachments.push(stored);
    }
    attachments.push(...knownById.values());
    return { attachments, missing };
  };

  /** Archives one full record: attachments first, then message.json last. */
  const archiveRecord = async (
    record: MessageRecord,
    counts: ArchiveCounts,
    outcome: RunOutcome,
    through: MessageWriter,
  ): Promise<void> => {
    const { call } = outcome;
    const location = messageLocation(record);
    const previous = await through.readManifest(messageKey(location));
    const availability: MessageAvailability = record.availability ?? 'Alive';
    const nowIso = () => new Date(now()).toISOString();
    if (availability !== 'Alive' && previous?.manifest) {
      // Keep the copy archived while the message was whole; only mark it.
      const marked = markManifestDeleted(previous.manifest, availability, nowIso());
      if (await commitManifest(through, marked, previous, call)) counts.markedDeleted += 1;
      else counts.unchangedMessages += 1;
      return;
    }
    const { attachments, missing } = await storeAttachments(
      record,
      location,
      previous,
      counts,
      outcome,
      through,
    );
    let finalAvailability = availability;
    if (missing.length > 0) {
      finalAvailability = await availabilityOfGone(record, location, call);
      counts.missingAttachments += missing.length;
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
    if (await commitManifest(through, manifest, previous, call)) {
      if (finalAvailability !== 'Alive') counts.markedDeleted += 1;
      else counts.archivedMessages += 1;
    } else {
      counts.unchangedMessages += 1;
    }
  };

  return {
    async archive(records, counts, outcome) {
      const { call } = outcome;
      const { locations, recordsPerDay } = locateRecords(records);
      try {
        // Every record's locator at once: a few batch writes instead of one write per message.
        await writer.writeLocators(locations, signalOption(call));
      } catch (error) {
        outcome.settle('(locators)', error);
        return;
      }
      // A day with several records is listed once instead of asking about each object.
      const listed = createListedObjectStore(objects, signalOption(call));
      for (const [day, count] of recordsPerDay) {
        // At most a page per LIST_MIN_RECORDS records: the listing never costs more than it saves.
        if (count >= LIST_MIN_RECORDS) listed.plan(day, Math.floor(count / LIST_MIN_RECORDS));
      }
      const runWriter = createMessageWriter(listed, locators, observer);
      const { started } = await forEachLimited(records, concurrency, outcome.shouldStop, (record) =>
        archiveRecord(record, counts, outcome, runWriter).catch((error: unknown) =>
          outcome.settle(record.id, error),
        ),
      );
      if (outcome.interrupted || started < records.length) {
        outcome.interrupt('Checkpoint: the deadline is near');
      }
    },
  };
}
