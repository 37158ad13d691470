/**
 * The export path: read archive 0 (`message-store.json`) record by record, then stream archives
 * 1..n entry by entry straight into their S3 objects, each checked on its way up by the zip's
 * CRC-32, the record's size and its sha256 (optionally read back too), before the message's
 * message.json is written last. Attachments already stored whole (an earlier run, the archive
 * function) are not uploaded again. Only the upload is on the zip stream's path; message.json
 * writes run beside it. Whatever the export did not deliver whole (an attachment missing from
 * the archives, an archive that failed) goes through the record archiver, which downloads only
 * what is not stored yet.
 *
 * Why entries are uploaded one at a time: an archive is one sequential stream, and running
 * uploads side by side would mean holding entries in memory; several archives could be read at
 * once instead (not done: the local RingCentral puts everything up to 1 GB in one archive).
 */
import type { Readable } from 'node:stream';
import { type MessageLocation, messageKey, messageLocation } from '../archive/layout.ts';
import { type ArchivedAttachment, buildManifest } from '../archive/manifest.ts';
import { describeError } from '../archive/run-outcome.ts';
import { type StoredObjectCheck, verifyStoredObject } from '../archive/stored-object-check.ts';
import { ExportFailedError, type MessageRecord } from '../ringcentral/index.ts';
import type { BackfillRun } from './context.ts';
import { BackfillVerificationError, ByteCounter, uploadEntry } from './entry-upload.ts';
import { completedExportTask, ExportUnavailableError } from './export-task.ts';
import { readMessageStoreRecords } from './records.ts';
import { readZipEntries } from './zip-reader.ts';

/** Read-backs, message.json writes and stored-checks running beside the zip stream at once. */
const BACKGROUND_LIMIT = 8;

/** Records archived at once by the record archiver after the archives. */
const DOWNLOAD_BATCH = 200;

/** A message whose attachments arrive from the archives. */
interface PendingMessage {
  record: MessageRecord;
  location: MessageLocation;
  stored: Map<string, ArchivedAttachment>;
}

/** What the export path keeps while it reads the archives. */
interface ExportState {
  /** Every record of the export, in order. */
  records: MessageRecord[];
  /** The locatable ones, by id. */
  pending: Map<string, PendingMessage>;
  /** Ids whose message.json is written. */
  committed: Set<string>;
  /** Runs work beside the zip stream, a bounded number at once. */
  beside(work: () => Promise<void>): Promise<void>;
  /** Waits for everything running beside. */
  settle(): Promise<void>;
}

/**
 * The `<messageId>/<attachmentId>[_<fileName>]` path of an attachment in an export archive.
 * Undefined for anything else (such as `message-store.json`).
 */
export function parseArchivePath(
  path: string,
): { messageId: string; attachmentId: string } | undefined {
  const match = /^([0-9A-Za-z_-]{1,64})\/([0-9A-Za-z-]{1,64})(?:_.*)?$/s.exec(path);
  if (!match) return undefined;
  return { messageId: match[1] as string, attachmentId: match[2] as string };
}

function createBackground(): Pick<ExportState, 'beside' | 'settle'> {
  const running = new Set<Promise<void>>();
  return {
    async beside(work) {
      while (running.size >= BACKGROUND_LIMIT) await Promise.race(running);
      const task: Promise<void> = work().finally(() => running.delete(task));
      running.add(task);
    },
    async settle() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}

/** Opens one archive as a byte stream counted into the run's progress. */
async function openArchive(run: BackfillRun, uri: string): Promise<Readable> {
  const download = await run.options.ringCentral.exports.readArchive({ uri }, run.call);
  const counter = new ByteCounter((bytes) => {
    run.result.bytesDownloaded += bytes;
    run.progress.report();
  });
  download.stream.on('error', (error) => counter.destroy(error));
  return download.stream.pipe(counter);
}

/** Archive 0: the records, kept in memory by id (metadata only; attachments stream). */
async function readMetadata(run: BackfillRun, uri: string): Promise<ExportState> {
  const state: ExportState = {
    records: [],
    pending: new Map(),
    committed: new Set(),
    ...createBackground(),
  };
  for await (const entry of readZipEntries(await openArchive(run, uri))) {
    if (entry.name !== 'message-store.json') continue;
    for await (const record of readMessageStoreRecords(entry.stream)) {
      let location: MessageLocation;
      try {
        location = messageLocation(record);
      } catch (error) {
        state.records.push(record);
        run.outcome.recordFailure(record.id, error);
        continue;
      }
      if (run.options.includeExtension?.(location.extensionId) === false) continue;
      state.records.push(record);
      state.pending.set(record.id, { record, location, stored: new Map() });
    }
  }
  run.result.messagesTotal = state.records.length;
  return state;
}

/** Writes a message's message.json from its stored attachments. */
async function commit(run: BackfillRun, pending: PendingMessage): Promise<void> {
  const previous = await run.writer.readManifest(messageKey(pending.location));
  const attachments = (pending.record.attachments ?? []).map(
    (attachment) => pending.stored.get(attachment.id) as ArchivedAttachment,
  );
  // As the record archiver does: entries of an earlier copy are never dropped.
  const listed = new Set(attachments.map((entry) => entry.id));
  for (const entry of previous?.manifest?.attachments ?? []) {
    if (!listed.has(entry.id)) attachments.push(entry);
  }
  const manifest = buildManifest({ record: pending.record, attachments });
  const signal = run.options.signal;
  if (await run.writer.commitManifest(manifest, previous, signal ? { signal } : {})) {
    run.result.messagesArchived += 1;
  } else {
    run.result.messagesUnchanged += 1;
  }
}

/** Writes message.json once every attachment of the message is stored; failures are left. */
async function commitIfWhole(
  run: BackfillRun,
  state: ExportState,
  message: PendingMessage,
): Promise<void> {
  if (state.committed.has(message.record.id)) return;
  const attachments = message.record.attachments ?? [];
  if (!attachments.every((attachment) => message.stored.has(attachment.id))) return;
  state.committed.add(message.record.id);
  try {
    await commit(run, message);
  } catch (error) {
    // Left to the record archiver after the archives.
    state.committed.delete(message.record.id);
    run.options.log?.(`message.json of ${message.record.id} failed (${describeError(error)})`);
  }
  run.progress.report();
}

/** What an earlier run (or the archive function) stored whole is not uploaded again. */
async function skipStored(run: BackfillRun, state: ExportState): Promise<void> {
  const signal = run.options.signal;
  const known = new Map<string, ArchivedAttachment>();
  run.progress.note('checking what is stored');
  run.progress.report();
  for (const message of state.pending.values()) {
    for (const attachment of message.record.attachments ?? []) {
      run.throwIfAborted();
      await state.beside(async () => {
        try {
          const stored = await run.writer.findStoredAttachment(
            message.location,
            attachment,
            undefined,
            signal ? { signal } : {},
          );
          if (stored) known.set(`${message.record.id}/${attachment.id}`, stored);
        } catch {
          // Not known to be stored: it is uploaded from the archive.
        }
      });
    }
  }
  await state.settle();
  run.progress.note(undefined);
  for (const message of state.pending.values()) {
    for (const attachment of message.record.attachments ?? []) {
      const stored = known.get(`${message.record.id}/${attachment.id}`);
      if (stored) message.stored.set(attachment.id, stored);
    }
    run.result.attachmentsSkipped += message.stored.size;
    await state.beside(() => commitIfWhole(run, state, message));
  }
  await state.settle();
}

const PROBLEM_PHRASES = {
  missing: () => 'is absent',
  'size-mismatch': (check: StoredObjectCheck) => `has ${check.info?.size} bytes`,
  'etag-mismatch': () => 'has another entity tag',
  'sha256-missing': () => 'has no sha256 to prove it by',
  'sha256-mismatch': () => 'has another sha256',
  'checksum-mismatch': () => 'has another checksum',
} as const;

/** Reads a stored attachment back (the shared stored-object check). */
async function readBack(run: BackfillRun, entry: ArchivedAttachment): Promise<void> {
  const check = await verifyStoredObject(run.options.objects, entry);
  if (check.problems.length > 0) {
    const problems = check.problems.map((problem) => PROBLEM_PHRASES[problem](check));
    throw new BackfillVerificationError(`${entry.key} ${problems.join(', ')} after upload`);
  }
}

/** Streams one archive's entries into their objects, committing messages as they complete. */
async function storeArchive(run: BackfillRun, state: ExportState, uri: string): Promise<void> {
  const stream = await openArchive(run, uri);
  for await (const entry of readZipEntries(stream)) {
    const target = parseArchivePath(entry.name);
    const message = target ? state.pending.get(target.messageId) : undefined;
    const attachment = message?.record.attachments?.find(
      (candidate) => candidate.id === target?.attachmentId,
    );
    // Unknown entries and attachments already stored are skipped by not reading them.
    if (!message || !attachment || message.stored.has(attachment.id)) continue;
    const stored = await uploadEntry(
      run.writer,
      message.location,
      attachment,
      entry.stream,
      run.options.signal,
    );
    await state.beside(async () => {
      try {
        if (run.options.verifyStored) await readBack(run, stored);
      } catch (error) {
        run.options.log?.(describeError(error));
        return;
      }
      run.result.attachmentsStored += 1;
      run.result.bytesStored += stored.size;
      message.stored.set(attachment.id, stored);
      await commitIfWhole(run, state, message);
    });
  }
  await state.settle();
}

/** Archives 1..n, skipping those the checkpoint says are done; a failed one is left. */
async function storeArchives(
  run: BackfillRun,
  state: ExportState,
  taskId: string,
  archives: readonly { uri: string; size?: number }[],
): Promise<void> {
  const done = new Set(run.checkpoint.current?.archivesDone ?? []);
  for (const [index, archive] of archives.entries()) {
    if (index === 0) continue;
    run.throwIfAborted();
    if (done.has(index)) {
      run.result.archivesSkipped += 1;
      run.progress.credit(archive.size ?? 0);
      continue;
    }
    try {
      await storeArchive(run, state, archive.uri);
      done.add(index);
      await run.checkpoint.save({
        scope: run.scope,
        mode: 'export',
        taskId,
        archivesDone: [...done].sort((a, b) => a - b),
        extensionsDone: [],
      });
    } catch (error) {
      await state.settle();
      run.throwIfAborted();
      // What this archive did not deliver is downloaded message by message afterwards.
      run.options.log?.(
        `Export archive ${index} failed (${describeError(error)}); downloading instead`,
      );
    }
  }
}

/** Everything not committed from the archives: the record archiver, which skips what is stored. */
async function downloadRest(run: BackfillRun, state: ExportState): Promise<void> {
  run.progress.enter('finishing');
  const rest = state.records.filter(
    (record) => state.pending.has(record.id) && !state.committed.has(record.id),
  );
  run.result.messagesByDownload = rest.length;
  for (let offset = 0; offset < rest.length; offset += DOWNLOAD_BATCH) {
    run.throwIfAborted();
    await run.archiveRecords(rest.slice(offset, offset + DOWNLOAD_BATCH));
    run.progress.report();
  }
}

/** Backfills through the export; throws ExportUnavailableError when it cannot be used. */
export async function backfillViaExport(run: BackfillRun): Promise<void> {
  run.progress.enter('exporting');
  run.progress.report();
  const taskId = await completedExportTask(run);
  run.result.taskId = taskId;
  const archives = await run.options.ringCentral.exports.listArchives(taskId, {
    ...run.call,
    accountId: run.accountId,
  });
  run.result.archivesTotal = archives.length;
  run.progress.expectBytes(archives.reduce((sum, archive) => sum + (archive.size ?? 0), 0));
  run.progress.enter('downloading');
  run.progress.note(undefined);
  const metadata = archives[0];
  if (!metadata) {
    // Archive 0 always holds the metadata (FACTS.md), so a completed task without archives
    // never becomes readable. Resuming it at every run would leave the account unarchived in
    // silence: it is forgotten (the next run asks for a new task) and the run fails, loudly.
    await run.checkpoint.clear();
    throw new ExportUnavailableError('the export task has no archives', {
      cause: new ExportFailedError(`Export task ${taskId} completed with no archives`),
    });
  }
  const state = await readMetadata(run, metadata.uri);
  await skipStored(run, state);
  try {
    await storeArchives(run, state, taskId, archives);
  } finally {
    await state.settle().catch(() => undefined);
  }
  await downloadRest(run, state);
}
