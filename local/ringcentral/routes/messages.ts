/** Message store: list, delete by filter, and get/update/patch/delete by id(s) incl. bulk. */
import { Readable } from 'node:stream';
import { RcError } from '../errors.ts';
import {
  apiRoute,
  enumList,
  jsonBody,
  queryDate,
  queryList,
  type RequestContext,
  type Route,
  sendEmpty,
  sendError,
  sendJson,
} from '../http.ts';
import { parseJson } from '../json.ts';
import type { MessageAvailability, MessageReadStatus, StoredMessage } from '../mailbox-types.ts';
import { readMultipartMixed } from '../multipart-mixed.ts';
import type { EmulatorState } from '../state.ts';
import { messageToWire } from '../wire.ts';
import { type PartResult, sendMultiStatus } from './multi-status.ts';
import { pageOf } from './paging.ts';
import { resolveExtension } from './resolve.ts';

const STORE = '/restapi/v1.0/account/{accountId}/extension/{extensionId}/message-store';
const DAY_MS = 86_400_000;
/** Ids allowed in the path of a bulk PUT, PATCH or DELETE. */
const MAX_PATH_IDS = 50;
const AVAILABILITIES = ['Alive', 'Deleted', 'Purged'] as const;
const DIRECTIONS = ['Inbound', 'Outbound'] as const;
const TYPES = ['Fax', 'SMS', 'VoiceMail', 'Pager', 'Text'] as const;
const READ_STATUSES = ['Read', 'Unread'] as const;

interface MessageChange {
  readStatus?: MessageReadStatus;
  availability?: MessageAvailability;
}

/** The message-store routes. */
export function messageRoutes(state: EmulatorState): Route[] {
  return [
    apiRoute('GET', STORE, 'Light', (context) => list(state, context)),
    apiRoute('DELETE', STORE, 'Medium', (context) => deleteByFilter(state, context)),
    apiRoute('GET', `${STORE}/{messageIds}`, 'Light', (context) => read(state, context)),
    apiRoute('PUT', `${STORE}/{messageIds}`, 'Medium', (context) => change(state, context, 'PUT')),
    apiRoute('PATCH', `${STORE}/{messageIds}`, 'Medium', (context) =>
      change(state, context, 'PATCH'),
    ),
    apiRoute('DELETE', `${STORE}/{messageIds}`, 'Medium', (context) => remove(state, context)),
  ];
}

function positiveInt(context: RequestContext, name: string, fallback: number): number {
  const raw = context.query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new RcError(400, 'CMN-101', `Parameter [${name}] value is invalid`, {
      parameterName: name,
    });
  }
  return value;
}

async function list(state: EmulatorState, context: RequestContext): Promise<void> {
  const extensionId = resolveExtension(state, context, 'ReadMessages');
  const { query } = context;
  const dateTo = queryDate(query, 'dateTo') ?? Date.now() + 1;
  // RingCentral's default: 24 hours before dateTo.
  const dateFrom = queryDate(query, 'dateFrom') ?? dateTo - DAY_MS;
  const perPage = Math.min(positiveInt(context, 'perPage', 100), 1000);
  const page = positiveInt(context, 'page', 1);
  const found = state.mailbox.find(extensionId, {
    availability: enumList(queryList(query, 'availability'), AVAILABILITIES, 'availability') ?? [
      'Alive',
    ],
    conversationId: query.get('conversationId') ?? undefined,
    dateFrom,
    dateTo,
    direction: enumList(queryList(query, 'direction'), DIRECTIONS, 'direction'),
    messageType: enumList(queryList(query, 'messageType'), TYPES, 'messageType'),
    readStatus: enumList(queryList(query, 'readStatus'), READ_STATUSES, 'readStatus'),
    phoneNumber: query.get('phoneNumber') ?? undefined,
  });
  // distinctConversations: only the newest message of each conversation (others kept as they are).
  const seen = new Set<string>();
  const matched =
    query.get('distinctConversations') === 'true'
      ? found.filter((message) => {
          if (message.conversationId === undefined) return true;
          if (seen.has(message.conversationId)) return false;
          seen.add(message.conversationId);
          return true;
        })
      : found;
  const base = `${state.platformUrl()}${context.path}`;
  const { records, paging, navigation } = pageOf(matched, page, perPage, (number) => {
    const params = new URLSearchParams(query);
    params.set('page', String(number));
    params.set('perPage', String(perPage));
    return `${base}?${params.toString()}`;
  });
  const search = context.query.toString();
  sendJson(context, 200, {
    uri: search ? `${base}?${search}` : base,
    records: records.map(messageToWire),
    paging,
    navigation,
  });
}

async function deleteByFilter(state: EmulatorState, context: RequestContext): Promise<void> {
  const extensionId = resolveExtension(state, context, 'EditMessages');
  const { query } = context;
  const type = query.get('type') ?? 'All';
  if (type !== 'All' && !(TYPES as readonly string[]).includes(type)) {
    throw new RcError(400, 'CMN-101', 'Parameter [type] value is invalid', {
      parameterName: 'type',
    });
  }
  const conversations = queryList(query, 'conversationId');
  const dateTo = queryDate(query, 'dateTo') ?? Date.now() + 1;
  const purge = query.get('purge') === 'true';
  const matched = state.mailbox
    .find(extensionId, {
      dateTo,
      availability: ['Alive', 'Deleted'],
      ...(type === 'All' ? {} : { messageType: [type as (typeof TYPES)[number]] }),
    })
    .filter((message) => !conversations || conversations.includes(message.conversationId ?? ''));
  for (const message of matched) {
    countDelete(state, message.availability, purge);
  }
  for (const message of matched) state.mailbox.delete(extensionId, message.id, purge);
  sendEmpty(context, 204);
}

function countDelete(state: EmulatorState, before: MessageAvailability, purge: boolean): void {
  if (purge || before === 'Deleted') state.stats.purged += 1;
  else if (before === 'Alive') state.stats.deleted += 1;
}

function pathIds(context: RequestContext): string[] {
  return (context.params.messageIds ?? '').split(',').filter((id) => id.length > 0);
}

function errorResult(id: string, href: string, error: unknown): PartResult {
  if (error instanceof RcError)
    return { resourceId: id, status: error.status, body: error.body(), href };
  throw error;
}

async function read(state: EmulatorState, context: RequestContext): Promise<void> {
  const extensionId = resolveExtension(state, context, 'ReadMessages');
  const ids = pathIds(context);
  if (ids.length === 1) {
    const message = requireMessage(state, extensionId, ids[0] ?? '');
    sendJson(context, 200, singleToWire(message));
    return;
  }
  const results = ids.map((id): PartResult => {
    const href = messageHref(state, extensionId, id);
    const message = state.mailbox.get(extensionId, id);
    if (!message) return errorResult(id, href, notFoundError());
    return { resourceId: id, status: 200, body: messageToWire(message), href };
  });
  sendMultiStatus(context, results);
}

/** The single-message GET answer: the spec requires `vmSideRecipients` (at least one entry). */
function singleToWire(message: StoredMessage): Record<string, unknown> {
  const recipients = message.to.length > 0 ? message.to : [{ extensionId: message.extensionId }];
  return { ...messageToWire(message), vmSideRecipients: recipients };
}

function messageHref(state: EmulatorState, extensionId: string, id: string): string {
  return `${state.platformUrl()}/restapi/v1.0/account/${state.mailbox.accountId}/extension/${extensionId}/message-store/${id}`;
}

function notFoundError(): RcError {
  return new RcError(404, 'CMN-102', 'Resource for parameter [messageId] is not found', {
    parameterName: 'messageId',
  });
}

function requireMessage(state: EmulatorState, extensionId: string, id: string): StoredMessage {
  const message = state.mailbox.get(extensionId, id);
  if (!message) throw notFoundError();
  return message;
}

function tooManyIds(limit: number): RcError {
  return new RcError(
    400,
    'CMN-106',
    `The number of resources in the request exceeds the limit of ${limit}`,
    {
      parameterName: 'messageId',
    },
  );
}

function parseChange(body: unknown, method: 'PUT' | 'PATCH'): MessageChange {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RcError(400, 'CMN-101', 'Request body is invalid', { parameterName: 'body' });
  }
  const record = body as Record<string, unknown>;
  const change: MessageChange = {};
  if (record.readStatus !== undefined) {
    if (!(READ_STATUSES as readonly unknown[]).includes(record.readStatus)) {
      throw new RcError(400, 'CMN-101', 'Parameter [readStatus] value is invalid', {
        parameterName: 'readStatus',
      });
    }
    change.readStatus = record.readStatus as MessageReadStatus;
  }
  if (method === 'PATCH' && record.availability !== undefined) {
    if (!(AVAILABILITIES as readonly unknown[]).includes(record.availability)) {
      throw new RcError(400, 'CMN-101', 'Parameter [availability] value is invalid', {
        parameterName: 'availability',
      });
    }
    change.availability = record.availability as MessageAvailability;
  }
  if (method === 'PUT' && change.readStatus === undefined) {
    throw new RcError(400, 'CMN-100', 'Parameter [readStatus] is required', {
      parameterName: 'readStatus',
    });
  }
  if (change.readStatus === undefined && change.availability === undefined) {
    throw new RcError(400, 'CMN-100', 'Either [readStatus] or [availability] is required', {
      parameterName: 'readStatus',
    });
  }
  return change;
}

/**
 * A bulk body as multipart/mixed: one JSON part per id of the path, in order, read as the
 * `[{body}]` array form.
 */
async function mixedBodies(context: RequestContext, contentType: string): Promise<unknown[]> {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw new RcError(400, 'CMN-101', 'Multipart boundary is missing');
  const parts: Buffer[][] = [];
  const body = await context.body();
  await readMultipartMixed(Readable.from([body]), boundary, {
    part: () => parts.push([]),
    data: (chunk) => parts.at(-1)?.push(chunk),
    end: () => undefined,
  });
  return parts.map((chunks) => {
    try {
      return { body: parseJson(Buffer.concat(chunks).toString('utf8')) };
    } catch (error) {
      throw new RcError(400, 'CMN-101', 'A multipart part is not valid JSON', { cause: error });
    }
  });
}

async function change(
  state: EmulatorState,
  context: RequestContext,
  method: 'PUT' | 'PATCH',
): Promise<void> {
  const extensionId = resolveExtension(state, context, 'EditMessages');
  const ids = pathIds(context);
  const contentType = context.req.headers['content-type'] ?? '';
  const body = /^multipart\/mixed/i.test(contentType)
    ? await mixedBodies(context, contentType)
    : await jsonBody(context);
  if (ids.length === 1 && ids[0] !== '*') {
    const id = ids[0] ?? '';
    requireMessage(state, extensionId, id);
    const message = state.mailbox.update(extensionId, id, parseChange(body, method));
    sendJson(context, 200, messageToWire(message));
    return;
  }
  // Bulk: ids in the path (<= 50) or '*' with `[{resourceId, body}]` (<= 1000).
  const star = ids.length === 1 && ids[0] === '*';
  if (!star && ids.length > MAX_PATH_IDS) throw tooManyIds(MAX_PATH_IDS);
  const entries: Array<{ id: string; body: unknown }> = [];
  if (Array.isArray(body)) {
    if (star && body.length > 1000) throw tooManyIds(1000);
    body.forEach((entry, index) => {
      const record = (entry ?? {}) as { resourceId?: unknown; body?: unknown };
      const id = typeof record.resourceId === 'string' ? record.resourceId : ids[index];
      if (id !== undefined && id !== '*') entries.push({ id, body: record.body });
    });
  } else if (!star) {
    for (const id of ids) entries.push({ id, body });
  } else {
    throw new RcError(400, 'CMN-101', 'Request body is invalid', { parameterName: 'body' });
  }
  const results = entries.map(({ id, body: entryBody }): PartResult => {
    const href = messageHref(state, extensionId, id);
    try {
      requireMessage(state, extensionId, id);
      const message = state.mailbox.update(extensionId, id, parseChange(entryBody, method));
      return { resourceId: id, status: 200, body: messageToWire(message), href };
    } catch (error) {
      return errorResult(id, href, error);
    }
  });
  sendMultiStatus(context, results);
}

async function remove(state: EmulatorState, context: RequestContext): Promise<void> {
  const extensionId = resolveExtension(state, context, 'EditMessages');
  let ids = pathIds(context);
  const purge = context.query.get('purge') === 'true';
  if (ids.length === 1 && ids[0] === '*') {
    const body = await jsonBody(context);
    if (!Array.isArray(body) || body.length === 0 || !body.every((id) => typeof id === 'string')) {
      throw new RcError(400, 'CMN-101', 'Request body is invalid', { parameterName: 'body' });
    }
    if (body.length > 100) throw tooManyIds(100);
    ids = body as string[];
  } else if (ids.length > MAX_PATH_IDS) {
    throw tooManyIds(MAX_PATH_IDS);
  }
  const results = ids.map((id): PartResult => {
    const href = messageHref(state, extensionId, id);
    try {
      const before = requireMessage(state, extensionId, id).availability;
      const message = state.mailbox.delete(extensionId, id, purge);
      countDelete(state, before, purge);
      return { resourceId: id, status: 204, body: messageToWire(message), href };
    } catch (error) {
      return errorResult(id, href, error);
    }
  });
  if (ids.length === 1) {
    const only = results[0];
    if (only && only.status !== 204) {
      sendError(
        context,
        new RcError(only.status, 'CMN-102', 'Resource for parameter [messageId] is not found'),
      );
      return;
    }
    sendEmpty(context, 204);
    return;
  }
  if (results.every((result) => result.status === 204)) {
    sendEmpty(context, 204);
    return;
  }
  sendMultiStatus(context, results);
}
