import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { planArchives } from './export/archive-plan.ts';
import { ExportLimitError, ExportRequestError } from './export/errors.ts';
import { writeZip, type ZipEntrySource, zipSize } from './export/zip-archive.ts';
import type { StoredMessage as MailboxStoredMessage } from './mailbox-types.ts';

export { ExportLimitError, ExportRequestError } from './export/errors.ts';

/** A stored message as the mailbox keeps it: the spec's GetMessageInfoResponse shape with every id a string. */
export type StoredMessage = MailboxStoredMessage;

/** The spec's `CreateMessageStoreReportRequest`. */
export interface ExportTaskRequest {
  dateFrom?: string;
  dateTo?: string;
  messageTypes?: string[];
}

/** The spec's `MessageStoreReport` as the emulator answers it (plus RingCentral's timestamps). */
export interface ExportTask {
  id: string;
  uri: string;
  status: string;
  accountId?: string;
  creationTime: string;
  lastModifiedTime: string;
  startTime?: string;
  finishTime?: string;
  dateFrom: string;
  dateTo: string;
  messageTypes?: string[];
}

/** Options of `ExportTasks`. */
export interface ExportTasksOptions {
  accountId: string;
  /** Platform base URL for `uri` fields, e.g. `http://127.0.0.1:41234`. */
  baseUrl: () => string;
  /** Every message of the account (all extensions). */
  messages: () => Iterable<StoredMessage>;
  /** The bytes of one attachment, exactly `attachment.size` of them. */
  openAttachment: (messageId: string, attachmentId: string) => Readable;
  /** Time between status steps (default 200 ms). */
  stepMs?: number;
  /** Unfinished tasks allowed at once (default 2 per account). */
  maxRunning?: number;
  /** Split attachments across archives 1..n, at most this many per archive (default: no limit). */
  attachmentsPerArchive?: number;
  /** At most this many attachment bytes per archive (default 1 GiB, RingCentral's cap). */
  archiveMaxBytes?: number;
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: () => number;
}

/** The message types `CreateMessageStoreReportRequest.messageTypes` accepts (`PicMessageTypeEnum`). */
const EXPORTABLE_TYPES = new Set(['Fax', 'SMS', 'VoiceMail', 'Pager']);
const DAY_MS = 24 * 60 * 60 * 1000;

interface TaskState {
  id: string;
  createdAt: number;
  dateFrom: string;
  dateTo: string;
  messageTypes?: string[];
  /** The messages the task exports, copied when the task was created. */
  messages: StoredMessage[];
  archives?: Array<{ entries: ZipEntrySource[]; size: number }>;
}

/**
 * The message-store export (`message-store-report`) of one account. A task walks
 * Accepted -> InProgress -> Completed, one step every `stepMs`; its messages are fixed when it is
 * created. Archive 0 holds `message-store.json`, archives 1..n the attachment files
 * (`<messageId>/<attachmentId>_<fileName>`); every archive is a zip streamed on demand.
 */
export class ExportTasks {
  readonly #options: ExportTasksOptions;
  readonly #stepMs: number;
  readonly #maxRunning: number;
  readonly #now: () => number;
  readonly #tasks = new Map<string, TaskState>();

  constructor(options: ExportTasksOptions) {
    this.#options = options;
    this.#stepMs = options.stepMs ?? 200;
    this.#maxRunning = options.maxRunning ?? 2;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Starts a task. Throws `ExportRequestError` for an invalid field and `ExportLimitError` when
   * `maxRunning` tasks are not finished yet.
   */
  create(request: ExportTaskRequest): ExportTask {
    const { dateFrom, dateTo, messageTypes } = this.#validate(request);
    const now = this.#now();
    const running = [...this.#tasks.values()].filter(
      (task) => this.#status(task, now) !== 'Completed',
    );
    if (running.length >= this.#maxRunning) throw new ExportLimitError(this.#maxRunning);
    const from = Date.parse(dateFrom);
    const to = Date.parse(dateTo);
    const types = messageTypes ? new Set(messageTypes) : undefined;
    const messages: StoredMessage[] = [];
    for (const message of this.#options.messages()) {
      const created = Date.parse(message.creationTime);
      if (message.availability !== 'Alive' || created < from || created > to) continue;
      if (types && !types.has(message.type)) continue;
      messages.push(structuredClone(message));
    }
    const accountId = this.#options.accountId;
    const task: TaskState = {
      id: `${accountId}-${accountId}-${randomBytes(16).toString('hex')}`,
      createdAt: now,
      dateFrom,
      dateTo,
      messages,
      ...(messageTypes ? { messageTypes } : {}),
    };
    this.#tasks.set(task.id, task);
    return this.#view(task, now);
  }

  /** The task as the spec's `MessageStoreReport`, its status as of now; undefined when unknown. */
  get(taskId: string): ExportTask | undefined {
    const task = this.#tasks.get(taskId);
    return task ? this.#view(task, this.#now()) : undefined;
  }

  /** The spec's `MessageStoreReportArchive.records`; undefined unless the task is Completed. */
  archives(taskId: string): Array<{ size: number; uri: string }> | undefined {
    const archives = this.#archives(taskId);
    if (!archives) return undefined;
    const taskUri = this.#taskUri(taskId);
    return archives.map((archive, index) => ({
      size: archive.size,
      uri: `${taskUri}/archive/${index}`,
    }));
  }

  /**
   * Streams archive `archiveIndex` (0 = metadata) as a zip of exactly `size` bytes; the same
   * bytes on every call. Undefined when the task is unknown or not Completed, or no such archive.
   */
  openArchive(
    taskId: string,
    archiveIndex: number,
  ): { stream: Readable; size?: number } | undefined {
    const task = this.#tasks.get(taskId);
    const archive = this.#archives(taskId)?.[archiveIndex];
    if (!task || !archive) return undefined;
    return { stream: writeZip(archive.entries, this.#finishedAt(task)), size: archive.size };
  }

  #archives(taskId: string): TaskState['archives'] {
    const task = this.#tasks.get(taskId);
    if (!task || this.#status(task, this.#now()) !== 'Completed') return undefined;
    if (!task.archives) {
      const mtime = this.#finishedAt(task);
      task.archives = planArchives(task.messages, {
        openAttachment: this.#options.openAttachment,
        ...(this.#options.attachmentsPerArchive === undefined
          ? {}
          : { attachmentsPerArchive: this.#options.attachmentsPerArchive }),
        ...(this.#options.archiveMaxBytes === undefined
          ? {}
          : { archiveMaxBytes: this.#options.archiveMaxBytes }),
      }).map((entries) => ({ entries, size: zipSize(entries, mtime) }));
    }
    return task.archives;
  }

  #validate(
    request: ExportTaskRequest,
  ): Required<Omit<ExportTaskRequest, 'messageTypes'>> & Pick<ExportTaskRequest, 'messageTypes'> {
    if (typeof request !== 'object' || request === null) throw new ExportRequestError('body');
    const now = this.#now();
    const dateTo = this.#date(request.dateTo, 'dateTo', now);
    const dateFrom = this.#date(request.dateFrom, 'dateFrom', Date.parse(dateTo) - DAY_MS);
    if (Date.parse(dateFrom) > Date.parse(dateTo)) throw new ExportRequestError('dateFrom');
    const { messageTypes } = request;
    if (messageTypes === undefined) return { dateFrom, dateTo };
    if (
      !Array.isArray(messageTypes) ||
      !messageTypes.every((type) => typeof type === 'string' && EXPORTABLE_TYPES.has(type))
    ) {
      throw new ExportRequestError('messageTypes');
    }
    return { dateFrom, dateTo, messageTypes: [...messageTypes] };
  }

  #date(value: unknown, name: string, fallback: number): string {
    if (value === undefined) return new Date(fallback).toISOString();
    // An ISO 8601 date-time with a time zone, as the spec's `format: date-time` demands.
    const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
    if (typeof value !== 'string' || !isoDateTime.test(value) || Number.isNaN(Date.parse(value))) {
      throw new ExportRequestError(name);
    }
    return new Date(Date.parse(value)).toISOString();
  }

  #status(task: TaskState, now: number): 'Accepted' | 'InProgress' | 'Completed' {
    const elapsed = now - task.createdAt;
    if (elapsed < this.#stepMs) return 'Accepted';
    if (elapsed < 2 * this.#stepMs) return 'InProgress';
    return 'Completed';
  }

  #finishedAt(task: TaskState): Date {
    return new Date(task.createdAt + 2 * this.#stepMs);
  }

  #taskUri(taskId: string): string {
    return `${this.#options.baseUrl()}/restapi/v1.0/account/${this.#options.accountId}/message-store-report/${taskId}`;
  }

  #view(task: TaskState, now: number): ExportTask {
    const status = this.#status(task, now);
    const started = task.createdAt + this.#stepMs;
    const finished = task.createdAt + 2 * this.#stepMs;
    const iso = (ms: number) => new Date(ms).toISOString();
    const lastModified =
      status === 'Completed' ? finished : status === 'InProgress' ? started : task.createdAt;
    return {
      id: task.id,
      uri: this.#taskUri(task.id),
      status,
      accountId: this.#options.accountId,
      creationTime: iso(task.createdAt),
      lastModifiedTime: iso(lastModified),
      ...(status === 'Accepted' ? {} : { startTime: iso(started) }),
      ...(status === 'Completed' ? { finishTime: iso(finished) } : {}),
      dateFrom: task.dateFrom,
      dateTo: task.dateTo,
      ...(task.messageTypes ? { messageTypes: [...task.messageTypes] } : {}),
    };
  }
}
