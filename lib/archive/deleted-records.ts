/**
 * Id-only records (deleted or purged messages an ISync reports by id): the archived copy is
 * found through its locator and marked, never dropped; a message without a copy is fetched whole
 * (a Deleted message still has its attachments) for the record archiver to archive.
 */
import type { MessageRecord, RingCentral } from '../ringcentral/index.ts';
import { markManifestDeleted } from './manifest.ts';
import type { MessageWriter } from './message-writer.ts';
import type { LocatorStore } from './ports.ts';
import { type ArchiveCounts, clientOptions, commitManifest } from './record-archiver.ts';
import type { RunOutcome } from './run-outcome.ts';

/** The mailbox a run archives: as configured, and its ids once known. */
export interface Mailbox {
  accountId?: string;
  extensionId?: string;
  /** The configured extension (`~` or an id). */
  configured: string;
}

/** Whether the record carries only its id (and availability). */
export function isIdOnly(record: MessageRecord): boolean {
  return record.creationTime === undefined;
}

/** What {@link markDeletedRecords} works with. */
export interface DeletedRecordsContext {
  messages: Pick<RingCentral['messages'], 'getMany'>;
  locators: LocatorStore;
  writer: MessageWriter;
  now: () => number;
}

/** Marks the archived copy of one id-only record; false when there is none to mark. */
async function markArchivedCopy(
  context: DeletedRecordsContext,
  record: MessageRecord,
  mailbox: Mailbox,
  counts: ArchiveCounts,
  outcome: RunOutcome,
): Promise<boolean> {
  const availability = record.availability ?? 'Deleted';
  if (!mailbox.accountId || !mailbox.extensionId || availability === 'Alive') return false;
  const key = await context.locators.get(mailbox.accountId, mailbox.extensionId, record.id);
  const previous = key ? await context.writer.readManifest(key) : undefined;
  if (!key || !previous?.manifest) return false;
  const marked = markManifestDeleted(
    previous.manifest,
    availability,
    new Date(context.now()).toISOString(),
  );
  if (await commitManifest(context.writer, marked, previous, outcome.call))
    counts.markedDeleted += 1;
  else counts.unchangedMessages += 1;
  return true;
}

/**
 * Marks the archived copies of id-only records and returns the full records of those without one.
 * Throws what interrupts the run (the caller settles it).
 */
export async function markDeletedRecords(
  context: DeletedRecordsContext,
  records: readonly MessageRecord[],
  mailbox: Mailbox,
  counts: ArchiveCounts,
  outcome: RunOutcome,
): Promise<MessageRecord[]> {
  const unknown: string[] = [];
  for (const record of records) {
    outcome.checkpoint();
    if (!(await markArchivedCopy(context, record, mailbox, counts, outcome))) {
      unknown.push(record.id);
    }
  }
  if (unknown.length === 0) return [];
  const fetched: MessageRecord[] = [];
  const results = await context.messages.getMany(unknown as [string, ...string[]], {
    extensionId: mailbox.configured,
    ...clientOptions(outcome.call),
  });
  for (const item of results) {
    if (item.ok && item.body) fetched.push(item.body);
    else if (!item.ok && item.status === 404) {
      // Gone for good and never archived: nothing exists to keep.
      counts.unchangedMessages += 1;
    } else if (!item.ok) {
      if (outcome.isInterruption(item.error)) throw item.error;
      outcome.recordFailure(item.id, item.error);
    }
  }
  return fetched;
}
