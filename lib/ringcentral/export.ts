import type { Transport } from './client.ts';
import type { CallOptions } from './deadline.ts';
import { sleepWithin } from './deadline.ts';
import type { DownloadedContent, DownloadOptions } from './download.ts';
import { openDownload } from './download.ts';
import { InvalidInputError, RingCentralError } from './errors.ts';
import type { MailboxRef } from './paths.ts';
import { accountPath } from './paths.ts';
import type { ExportArchive, ExportTask, MessageType } from './types.ts';
import { assertDateTime } from './validation.ts';

/** `CreateMessageStoreReportRequest` */
export interface ExportRequest extends Pick<MailboxRef, 'accountId'> {
  dateFrom?: string | Date;
  dateTo?: string | Date;
  messageTypes?: MessageType[];
}

/** Polling settings of `waitUntilDone`. */
export interface WaitOptions extends CallOptions {
  /** Pause between polls; default 5 s. */
  pollIntervalMs?: number;
}

/** The export task ended without archives. */
export class ExportFailedError extends RingCentralError {
  override name = 'ExportFailedError';
}

/** The message-store export (message-store-report; Heavy group). */
export interface ExportsApi {
  create(request: ExportRequest, options?: CallOptions): Promise<ExportTask>;
  get(taskId: string, options?: CallOptions & Pick<MailboxRef, 'accountId'>): Promise<ExportTask>;
  /** Polls until Completed; throws ExportFailedError on Failed/Cancelled, DeadlineExceededError in time. */
  waitUntilDone(
    taskId: string,
    options?: WaitOptions & Pick<MailboxRef, 'accountId'>,
  ): Promise<ExportTask>;
  listArchives(
    taskId: string,
    options?: CallOptions & Pick<MailboxRef, 'accountId'>,
  ): Promise<ExportArchive[]>;
  /** Streams one zip archive (by its `uri`), resuming dropped connections. */
  readArchive(archive: { uri: string }, options?: DownloadOptions): Promise<DownloadedContent>;
}

const TASK_ID = /^[\w.=+-]{1,200}$/;

function assertTaskId(taskId: unknown): asserts taskId is string {
  if (typeof taskId !== 'string' || !TASK_ID.test(taskId))
    throw new InvalidInputError('taskId is not a task id');
}

/** Builds the export operations on a transport. */
export function createExportsApi(transport: Transport): ExportsApi {
  const reportPath = (ref?: Pick<MailboxRef, 'accountId'>) =>
    `${accountPath(ref)}/message-store-report`;
  const api: ExportsApi = {
    async create(request, options) {
      const body: Record<string, unknown> = {};
      if (request?.dateFrom !== undefined)
        body.dateFrom = assertDateTime(request.dateFrom, 'dateFrom');
      if (request?.dateTo !== undefined) body.dateTo = assertDateTime(request.dateTo, 'dateTo');
      if (request?.messageTypes !== undefined) body.messageTypes = request.messageTypes;
      return transport.json<ExportTask>(
        {
          method: 'POST',
          path: reportPath(request),
          group: 'Heavy',
          body: { kind: 'json', value: body },
        },
        options,
      );
    },
    async get(taskId, options) {
      assertTaskId(taskId);
      return transport.json<ExportTask>(
        {
          method: 'GET',
          path: `${reportPath(options)}/${encodeURIComponent(taskId)}`,
          group: 'Heavy',
        },
        options,
      );
    },
    async waitUntilDone(taskId, options = {}) {
      const interval = options.pollIntervalMs ?? 5_000;
      for (;;) {
        const task = await api.get(taskId, options);
        if (task.status === 'Completed') return task;
        if (task.status === 'Failed' || task.status === 'Cancelled') {
          throw new ExportFailedError(`Export task ${taskId} ended ${task.status}`);
        }
        await sleepWithin(interval, options, 'export poll');
      }
    },
    async listArchives(taskId, options) {
      assertTaskId(taskId);
      const result = await transport.json<{ records?: ExportArchive[] }>(
        {
          method: 'GET',
          path: `${reportPath(options)}/${encodeURIComponent(taskId)}/archive`,
          group: 'Heavy',
        },
        options,
      );
      return result?.records ?? [];
    },
    async readArchive(archive, options) {
      if (typeof archive?.uri !== 'string' || !/^https?:\/\//i.test(archive.uri)) {
        throw new InvalidInputError('archive.uri must be an absolute http(s) URL');
      }
      return openDownload(transport, { path: archive.uri, group: 'Heavy' }, options);
    },
  };
  return api;
}
