/**
 * The backfill: archives a mailbox's history into the same S3 layout and manifests the archive
 * function writes, through RingCentral's message-store export when it is available.
 *
 * Export path: create the task (dateFrom, dateTo, messageTypes), poll it (bounded), read archive
 * 0 (`message-store.json`) record by record, then stream archives 1..n entry by entry straight
 * into their S3 objects (`zip-reader.ts`), each checked on its way up by the zip's
 * CRC-32, the record's size and its sha256 (optionally read back too), before the message's
 * message.json is written last. Attachments already stored whole (an earlier run, the archive
 * function) are not uploaded again. Only the upload is on the zip stream's path; message.json
 * writes run beside it. Whatever the export did not deliver whole (an attachment missing from
 * the archives, an archive that failed) goes through the archiver's own per-message path, which
 * downloads only what is not stored yet.
 *
 * Why entries are uploaded one at a time: an archive is one sequential stream, and running
 * uploads side by side would mean holding entries in memory; several archives could be read at
 * once instead (not done: the local RingCentral puts everything up to 1 GB in one archive).
 *
 * Fallback: when the export is not available (403/404/405/501 on create, a Failed or Cancelled
 * task, or no result within the wait bound) the backfill lists each configured extension
 * (`messages.list` with dateFrom/dateTo/messageType) and archives the pages through the archiver.
 *
 * Both paths write through `message-writer.ts`, the archiver's write path, so the archive
 * function and the backfill produce the same objects for the same message.
 */
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import type { BackfillPhase, BackfillProgress } from '../../cli/backfill/progress.ts';
import { type ArchiveRunResult, createArchiver } from '../archive/archiver.ts';
import { type MessageLocation, messageKey, messageLocation } from '../archive/layout.ts';
import { type ArchivedAttachment, buildManifest } from '../archive/manifest.ts';
import { createMessageWriter } from '../archive/message-writer.ts';
import type { CursorStore, LocatorStore, ObjectStore } from '../archive/ports.ts';
import {
  AbortedError,
  ExportFailedError,
  type MessageRecord,
  type MessageType,
  type RingCentral,
  RingCentralError,
  sleepWithin,
} from '../ringcentral/index.ts';
import type { MessageAttachment } from '../ringcentral/types.ts';
import type { BackfillCheckpoint, BackfillCheckpointStore } from './checkpoint.ts';
import { readMessageStoreRecords } from './records.ts';
import { readZipEntries } from './zip-reader.ts';

/** The RingCentral operations the backfill uses. */
export type BackfillRingCentral = Pick<
  RingCentral,
  'exports' | 'messages' | 'attachments' | 'sync'
>;

/** Message types the export and the list filter accept. */
export const BACKFILL_MESSAGE_TYPES: readonly MessageType[] = ['Fax', 'SMS', 'VoiceMail', 'Pager'];

/** What to archive. */
export interface BackfillRequest {
  /** ISO date-time: the oldest creationTime to archive. */
  dateFrom: string;
  /** ISO date-time; default now. */
  dateTo?: string;
  /** Default every type. */
  messageTypes?: readonly MessageType[];
}

/** Options of {@link runBackfill}. */
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
  /** Messages the per-message path archives at once; default 4. */
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

/** The export cannot be used; the backfill lists instead. */
export class ExportUnavailableError extends Error {
  override readonly name = 'ExportUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A stored attachment read back with another size or sha256 than was written. */
export class BackfillVerificationError extends Error {
  override readonly name = 'BackfillVerificationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Read-backs, message.json writes and stored-checks running beside the zip stream at once. */
const BACKGROUND_LIMIT = 8;

/** Statuses on which RingCentral says the export is not there for this account or app. */
const UNAVAILABLE_STATUSES = new Set([403, 404, 405, 501]);

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500);
  return String(error).slice(0, 500);
}

/** The checkpoint scope: a rerun with other dates or types starts afresh. */
export function backfillScope(request: BackfillRequest, accountId = '~'): string {
  const types = [...(request.messageTypes ?? BACKFILL_MESSAGE_TYPES)].sort().join(',');
  return `account=${accountId};from=${request.dateFrom};to=${request.dateTo ?? ''};types=${types}`;
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

/** Counts bytes flowing through, for progress. */
class ByteCounter extends Transform {
  constructor(private readonly count: (bytes: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.count(chunk.length);
    callback(null, chunk);
  }
}

/**
 * Between a zip entry and its upload: fails as soon as more bytes flow than the record declares,
 * and holds the last chunk back until the entry has ended, so that an entry failing its CRC-32
 * (checked at its end) fails the upload before the store has all the bytes it expects and could
 * keep the object.
 */
class EntryBodyGuard extends Transform {
  #bytes = 0;
  #held: Buffer | undefined;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.#bytes += chunk.length;
    if (this.#bytes > this.limit) {
      callback(new BackfillVerificationError(`More than the declared ${this.limit} bytes`));
      return;
    }
    const previous = this.#held;
    this.#held = chunk;
    callback(null, previous);
  }
  override _flush(callback: TransformCallback) {
    callback(null, this.#held);
  }
}

/** A message whose attachments arrive from the archives. */
interface PendingMessage {
  record: MessageRecord;
  location: MessageLocation;
  stored: Map<string, ArchivedAttachment>;
}

/** Runs a backfill (see the module comment); resumable through `checkpoints`. */
export async function runBackfill(options: BackfillOptions): Promise<BackfillResult> {
  const { ringCentral, objects, locators, checkpoints, request } = options;
  const now = options.now ?? Date.now;
  const started = now();
  const deadline = options.deadline ?? started + 7 * 86_400_000;
  const accountId = options.accountId ?? '~';
  const extensions = options.extensions ?? ['~'];
  const verifyStored = options.verifyStored ?? false;
  const messageTypes = request.messageTypes ? [...request.messageTypes] : undefined;
  const dateTo = request.dateTo ?? new Date(started).toISOString();
  const scope = backfillScope(request, accountId);
  const signal = options.signal;
  const call = { deadline, ...(signal ? { signal } : {}) };
  const writer = createMessageWriter(objects, locators);
  const unusedCursors: CursorStore = {
    get: async () => {
      throw new Error('The backfill never reads an archive cursor');
    },
    advance: async () => {
      throw new Error('The backfill never moves an archive cursor');
    },
  };
  const archiver = createArchiver({
    ringCentral,
    objects,
    cursors: unusedCursors,
    locators,
    startDate: request.dateFrom,
    concurrency: options.concurrency ?? 4,
    now,
  });

  const result: BackfillResult = {
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
  let bytesTotal: number | undefined;
  let bytesCredited = 0;
  let phase: BackfillPhase = 'exporting';
  let detail: string | undefined;
  const progress = (): void => {
    if (!options.onProgress) return;
    const elapsedMs = Math.max(1, now() - started);
    const bytesDone = bytesCredited + result.bytesDownloaded;
    const bytesPerSecond = (result.bytesDownloaded * 1000) / elapsedMs;
    const etaMs =
      bytesTotal !== undefined && bytesPerSecond > 0
        ? (Math.max(0, bytesTotal - bytesDone) / bytesPerSecond) * 1000
        : undefined;
    options.onProgress({
      phase,
      ...(detail ? { detail } : {}),
      messagesDone: result.messagesArchived + result.messagesUnchanged,
      messagesTotal: result.mode === 'list' && phase !== 'done' ? undefined : result.messagesTotal,
      bytesDone,
      bytesTotal,
      elapsedMs,
      bytesPerSecond,
      etaMs: phase === 'done' ? 0 : etaMs,
    });
  };
  const throwIfAborted = () => {
    if (signal?.aborted) throw new AbortedError('The backfill was interrupted');
  };
  const addRun = (run: ArchiveRunResult) => {
    result.messagesArchived += run.archivedMessages + run.markedDeleted;
    result.messagesUnchanged += run.unchangedMessages;
    result.attachmentsStored += run.storedAttachments;
    result.attachmentsSkipped += run.skippedAttachments;
    result.bytesStored += run.archivedBytes;
    result.failures.push(...run.failures);
    if (run.stoppedAtDeadline) throw new AbortedError(run.stopReason ?? 'The backfill stopped');
  };

  let checkpoint = await checkpoints.load();
  if (checkpoint?.scope !== scope) checkpoint = undefined;
  const save = async (next: BackfillCheckpoint) => {
    checkpoint = next;
    await checkpoints.save(next);
  };

  /** Creates the task or resumes the checkpoint's, and waits for it within the bound. */
  const completedTask = async (): Promise<string> => {
    let taskId = checkpoint?.mode === 'export' ? checkpoint.taskId : undefined;
    if (taskId) {
      try {
        const task = await ringCentral.exports.get(taskId, { ...call, accountId });
        if (task.status === 'Failed' || task.status === 'Cancelled') taskId = undefined;
      } catch (error) {
        if (!(error instanceof RingCentralError) || error.status !== 404) throw error;
        taskId = undefined;
      }
    }
    if (!taskId) {
      try {
        const task = await ringCentral.exports.create(
          {
            accountId,
            dateFrom: request.dateFrom,
            dateTo,
            ...(messageTypes ? { messageTypes } : {}),
          },
          call,
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
      await save({ scope, mode: 'export', taskId, archivesDone: [], extensionsDone: [] });
    }
    const waitUntil = Math.min(deadline, now() + (options.exportWaitMs ?? 30 * 60_000));
    // Small exports finish in seconds: poll soon, then back off to the interval.
    const maxInterval = options.pollIntervalMs ?? 10_000;
    let interval = Math.min(500, maxInterval);
    for (;;) {
      const task = await ringCentral.exports.get(taskId, { ...call, accountId });
      detail = `export ${task.status ?? 'unknown'}`;
      progress();
      if (task.status === 'Completed') return taskId;
      if (task.status === 'Failed' || task.status === 'Cancelled') {
        throw new ExportUnavailableError(`the export task ended ${task.status}`, {
          cause: new ExportFailedError(`Export task ${taskId} ended ${task.status}`),
        });
      }
      if (now() + interval > waitUntil) {
        throw new ExportUnavailableError('the export task did not complete in time');
      }
      await sleepWithin(interval, signal ? { signal } : undefined, 'backfill');
      throwIfAborted();
      interval = Math.min(maxInterval, interval * 2);
    }
  };

  /** Opens one archive as a counted byte stream. */
  const openArchive = async (uri: string) => {
    const download = await ringCentral.exports.readArchive({ uri }, call);
    const counter = new ByteCounter((bytes) => {
      result.bytesDownloaded += bytes;
      progress();
    });
    download.stream.on('error', (error) => counter.destroy(error));
    return download.stream.pipe(counter);
  };

  const commit = async (pending: PendingMessage) => {
    const key = messageKey(pending.location);
    const previous = await writer.readManifest(key);
    const attachments = (pending.record.attachments ?? []).map(
      (attachment) => pending.stored.get(attachment.id) as ArchivedAttachment,
    );
    // As the archiver does: entries of an earlier copy are never dropped.
    const listed = new Set(attachments.map((entry) => entry.id));
    for (const entry of previous?.manifest?.attachments ?? []) {
      if (!listed.has(entry.id)) attachments.push(entry);
    }
    const manifest = buildManifest({ record: pending.record, attachments });
    if (await writer.commitManifest(manifest, previous, signal ? { signal } : {})) {
      result.messagesArchived += 1;
    } else {
      result.messagesUnchanged += 1;
    }
  };

  /** Streams one zip entry into its object; the entry is read to its end (or the upload fails). */
  const uploadEntry = async (
    pending: PendingMessage,
    attachment: MessageAttachment,
    stream: Readable,
  ): Promise<ArchivedAttachment> => {
    // A body that fails (CRC, truncation) aborts its upload at once instead of leaving the
    // request to time out, and the body's error is the one reported.
    const bodyFailed = new AbortController();
    let bodyError: unknown;
    const onBodyError = (error: unknown) => {
      bodyError = error;
      bodyFailed.abort(error);
    };
    const body = stream.pipe(new EntryBodyGuard(attachment.size ?? Number.POSITIVE_INFINITY));
    stream.once('error', (error) => body.destroy(error));
    body.once('error', onBodyError);
    try {
      return await writer.storeAttachment(pending.location, attachment, body, {
        ...(attachment.size !== undefined ? { expectedSize: attachment.size } : {}),
        signal: signal ? AbortSignal.any([signal, bodyFailed.signal]) : bodyFailed.signal,
      });
    } catch (error) {
      throw bodyError ?? error;
    } finally {
      body.off('error', onBodyError);
    }
  };

  /** Reads a stored attachment back: its size, and its digests where the store gives them. */
  const verify = async (entry: ArchivedAttachment) => {
    const head = await objects.head(entry.key);
    const checksum =
      head?.checksumSha256 !== undefined
        ? Buffer.from(head.checksumSha256, 'base64').toString('hex')
        : undefined;
    const problems = [
      head === undefined ? 'is absent' : undefined,
      head && head.size !== entry.size ? `has ${head.size} bytes` : undefined,
      head?.sha256 !== undefined && head.sha256 !== entry.sha256 ? 'has another sha256' : undefined,
      checksum !== undefined && checksum !== entry.sha256 ? 'has another checksum' : undefined,
      head?.etag !== undefined && entry.etag !== undefined && head.etag !== entry.etag
        ? 'has another entity tag'
        : undefined,
    ].filter((problem) => problem !== undefined);
    if (problems.length > 0) {
      throw new BackfillVerificationError(`${entry.key} ${problems.join(', ')} after upload`);
    }
  };

  const viaExport = async () => {
    phase = 'exporting';
    progress();
    const taskId = await completedTask();
    result.taskId = taskId;
    const archives = await ringCentral.exports.listArchives(taskId, { ...call, accountId });
    result.archivesTotal = archives.length;
    bytesTotal = archives.reduce((sum, archive) => sum + (archive.size ?? 0), 0);
    const done = new Set(checkpoint?.archivesDone ?? []);
    phase = 'downloading';
    detail = undefined;
    const metadata = archives[0];
    if (!metadata) throw new ExportUnavailableError('the export task has no archives');

    // Archive 0: the records. Kept in memory by id (metadata only; attachments stream).
    const pending = new Map<string, PendingMessage>();
    const records: MessageRecord[] = [];
    const metadataStream = await openArchive(metadata.uri);
    for await (const entry of readZipEntries(metadataStream)) {
      if (entry.name !== 'message-store.json') continue;
      for await (const record of readMessageStoreRecords(entry.stream)) {
        records.push(record);
        try {
          pending.set(record.id, { record, location: messageLocation(record), stored: new Map() });
        } catch (error) {
          result.failures.push({ messageId: record.id, error: describe(error) });
        }
      }
    }
    result.messagesTotal = records.length;

    // Only the upload is on the path of the zip stream; reading back and message.json run
    // beside it, a bounded number at once, so the download never waits for them.
    const background = new Set<Promise<void>>();
    const beside = async (work: () => Promise<void>) => {
      while (background.size >= BACKGROUND_LIMIT) await Promise.race(background);
      const task: Promise<void> = work().finally(() => background.delete(task));
      background.add(task);
    };
    const settle = async () => {
      while (background.size > 0) await Promise.all(background);
    };
    const committed = new Set<string>();
    const commitIfWhole = async (message: PendingMessage) => {
      if (committed.has(message.record.id)) return;
      const attachments = message.record.attachments ?? [];
      if (!attachments.every((attachment) => message.stored.has(attachment.id))) return;
      committed.add(message.record.id);
      try {
        await commit(message);
      } catch (error) {
        // Left to the per-message path below.
        committed.delete(message.record.id);
        options.log?.(`message.json of ${message.record.id} failed (${describe(error)})`);
      }
      progress();
    };

    // What an earlier run (or the archive function) stored whole is not uploaded again.
    const known = new Map<string, ArchivedAttachment>();
    const checks = [...pending.values()].flatMap((message) =>
      (message.record.attachments ?? []).map((attachment) => ({ message, attachment })),
    );
    detail = 'checking what is stored';
    progress();
    for (const { message, attachment } of checks) {
      throwIfAborted();
      await beside(async () => {
        try {
          const stored = await writer.findStoredAttachment(
            message.location,
            attachment,
            undefined,
            {
              ...(signal ? { signal } : {}),
            },
          );
          if (stored) known.set(`${message.record.id}/${attachment.id}`, stored);
        } catch {
          // Not known to be stored: it is uploaded from the archive.
        }
      });
    }
    await settle();
    detail = undefined;
    for (const message of pending.values()) {
      for (const attachment of message.record.attachments ?? []) {
        const stored = known.get(`${message.record.id}/${attachment.id}`);
        if (stored) message.stored.set(attachment.id, stored);
      }
      result.attachmentsSkipped += message.stored.size;
      await beside(() => commitIfWhole(message));
    }
    await settle();

    try {
      for (const [index, archive] of archives.entries()) {
        if (index === 0) continue;
        throwIfAborted();
        if (done.has(index)) {
          result.archivesSkipped += 1;
          bytesCredited += archive.size ?? 0;
          continue;
        }
        try {
          const stream = await openArchive(archive.uri);
          for await (const entry of readZipEntries(stream)) {
            const target = parseArchivePath(entry.name);
            const message = target ? pending.get(target.messageId) : undefined;
            const attachment = message?.record.attachments?.find(
              (candidate) => candidate.id === target?.attachmentId,
            );
            // Unknown entries and attachments already stored are skipped by not reading them.
            if (!message || !attachment || message.stored.has(attachment.id)) continue;
            const stored = await uploadEntry(message, attachment, entry.stream);
            await beside(async () => {
              try {
                if (verifyStored) await verify(stored);
              } catch (error) {
                options.log?.(describe(error));
                return;
              }
              result.attachmentsStored += 1;
              result.bytesStored += stored.size;
              message.stored.set(attachment.id, stored);
              await commitIfWhole(message);
            });
          }
          await settle();
          done.add(index);
          await save({
            scope,
            mode: 'export',
            taskId,
            archivesDone: [...done].sort((a, b) => a - b),
            extensionsDone: [],
          });
        } catch (error) {
          await settle();
          throwIfAborted();
          // What this archive did not deliver is downloaded message by message below.
          options.log?.(`Export archive ${index} failed (${describe(error)}); downloading instead`);
        }
      }
    } finally {
      await settle().catch(() => undefined);
    }

    // Everything not committed from the archives: the archiver's path, which skips what is stored.
    phase = 'finishing';
    const rest = records.filter((record) => pending.has(record.id) && !committed.has(record.id));
    result.messagesByDownload = rest.length;
    for (let offset = 0; offset < rest.length; offset += 200) {
      throwIfAborted();
      const run = await archiver.archiveRecords('~', rest.slice(offset, offset + 200), call);
      addRun(run);
      progress();
    }
  };

  const viaList = async () => {
    phase = 'listing';
    result.mode = 'list';
    const extensionsDone = new Set(checkpoint?.mode === 'list' ? checkpoint.extensionsDone : []);
    for (const extension of extensions) {
      if (extensionsDone.has(extension)) continue;
      for await (const page of ringCentral.messages.list(
        {
          extensionId: extension,
          dateFrom: request.dateFrom,
          dateTo,
          ...(messageTypes ? { messageType: messageTypes } : {}),
          perPage: 1000,
        },
        call,
      )) {
        throwIfAborted();
        result.messagesTotal += page.records.length;
        const run = await archiver.archiveRecords(extension, page.records, call);
        addRun(run);
        result.bytesDownloaded += run.archivedBytes;
        progress();
      }
      extensionsDone.add(extension);
      await save({ scope, mode: 'list', archivesDone: [], extensionsDone: [...extensionsDone] });
    }
  };

  if (checkpoint?.completedAt) {
    // Nothing left; a rerun still checks cheaply by listing nothing.
    checkpoint = { ...checkpoint, archivesDone: [], extensionsDone: [] };
    delete checkpoint.completedAt;
  }
  if (options.forceList || checkpoint?.mode === 'list') {
    result.fallbackReason = options.forceList ? 'listing was asked for' : 'resuming a listing';
    await viaList();
  } else {
    try {
      await viaExport();
    } catch (error) {
      if (!(error instanceof ExportUnavailableError)) throw error;
      result.fallbackReason = error.message;
      options.log?.(`The export is not available (${error.message}): listing instead`);
      detail = 'listing instead of the export';
      await viaList();
    }
  }
  result.complete = result.failures.length === 0;
  if (result.complete && checkpoint) {
    await save({ ...checkpoint, completedAt: new Date(now()).toISOString() });
  }
  phase = 'done';
  detail = undefined;
  result.durationMs = now() - started;
  progress();
  return result;
}
