/** message-store-report (bulk export): HTTP <-> `ExportTasks`, including its errors. */
import { RcError } from '../errors.ts';
import { ExportLimitError, ExportRequestError, type ExportTaskRequest } from '../export-tasks.ts';
import {
  apiRoute,
  jsonBody,
  type RequestContext,
  type Route,
  sendJson,
  sendStream,
} from '../http.ts';
import type { EmulatorState } from '../state.ts';
import { resolveAccount } from './resolve.ts';

const REPORT = '/restapi/v1.0/account/{accountId}/message-store-report';

/** The export routes. */
export function exportRoutes(state: EmulatorState): Route[] {
  // Archives are downloaded from the media host in production, so every report route is on both.
  const route = (method: string, path: string, handle: Route['handle']): Route =>
    apiRoute(method, path, 'Heavy', handle, ['platform', 'media']);
  return [
    route('POST', REPORT, (context) => create(state, context)),
    route('GET', `${REPORT}/{taskId}`, async (context) => read(state, context)),
    route('GET', `${REPORT}/{taskId}/archive`, async (context) => archives(state, context)),
    route('GET', `${REPORT}/{taskId}/archive/{archiveId}`, (context) => download(state, context)),
  ];
}

function taskNotFound(): RcError {
  return new RcError(404, 'CMN-102', 'Resource for parameter [taskId] is not found', {
    parameterName: 'taskId',
  });
}

async function create(state: EmulatorState, context: RequestContext): Promise<void> {
  resolveAccount(state, context);
  const body = (await jsonBody(context)) ?? {};
  try {
    const task = state.exportTasks.create(body as ExportTaskRequest);
    sendJson(context, 202, task);
  } catch (error) {
    if (error instanceof ExportLimitError || error instanceof ExportRequestError) {
      throw new RcError(error.status, error.errorCode, error.message, {
        cause: error,
        ...('parameterName' in error ? { parameterName: error.parameterName } : {}),
      });
    }
    throw error;
  }
}

function read(state: EmulatorState, context: RequestContext): void {
  resolveAccount(state, context);
  const task = state.exportTasks.get(context.params.taskId ?? '');
  if (!task) throw taskNotFound();
  sendJson(context, 200, task);
}

function archives(state: EmulatorState, context: RequestContext): void {
  resolveAccount(state, context);
  const taskId = context.params.taskId ?? '';
  const task = state.exportTasks.get(taskId);
  if (!task) throw taskNotFound();
  const records = state.exportTasks.archives(taskId);
  if (!records) {
    throw new RcError(
      400,
      'CMN-101',
      `Task [${taskId}] is not completed yet (status ${task.status})`,
      {
        parameterName: 'taskId',
      },
    );
  }
  sendJson(context, 200, { records });
}

async function download(state: EmulatorState, context: RequestContext): Promise<void> {
  resolveAccount(state, context);
  const index = Number(context.params.archiveId);
  const archive = Number.isInteger(index)
    ? state.exportTasks.openArchive(context.params.taskId ?? '', index)
    : undefined;
  if (!archive) {
    throw new RcError(404, 'CMN-102', 'Resource for parameter [archiveId] is not found', {
      parameterName: 'archiveId',
    });
  }
  const headers: Record<string, string> = {
    'Content-Type': 'application/zip',
    'Content-Disposition': `attachment; filename="message-store-report-${index}.zip"`,
  };
  if (archive.size !== undefined) headers['Content-Length'] = String(archive.size);
  await sendStream(context, 200, headers, archive.stream, archive.size);
}
