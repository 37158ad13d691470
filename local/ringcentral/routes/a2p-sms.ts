/**
 * High-volume SMS (`a2p-sms`, every route Light): create a batch and read it, list its messages
 * and the opt-out list, the way the spec and FACTS.md ("High-volume SMS") describe them.
 */
import type { A2pBatchRecord, A2pMessageRecord, A2pRejected } from '../a2p-sms.ts';
import { badParameter, notFound, RcError } from '../errors.ts';
import { apiRoute, jsonBody, type RequestContext, type Route, sendJson } from '../http.ts';
import { int64 } from '../json.ts';
import type { EmulatorState } from '../state.ts';
import { resolveAccount } from './resolve.ts';

const BASE = '/restapi/v1.0/account/{accountId}/a2p-sms';
const E164 = /^\+[1-9]\d{6,14}$/;
/** High-volume SMS reaches the US and Canada only (FACTS.md). */
const NORTH_AMERICAN = /^\+1\d{10}$/;
/** Messages per request (FACTS.md: up to 10,000) and characters per message (the spec). */
const MAX_MESSAGES = 10_000;
const MAX_TEXT = 1000;
/** `NonEnumeratedPagingModel`: perPage 1-1000; the lists' default is 1000. */
const MAX_PER_PAGE = 1000;

/** The A2P routes. */
export function a2pSmsRoutes(state: EmulatorState): Route[] {
  return [
    apiRoute('POST', `${BASE}/batches`, 'Light', (context) => createBatch(state, context)),
    apiRoute('GET', `${BASE}/batches/{batchId}`, 'Light', async (context) => {
      resolveAccount(state, context);
      const batch = state.a2p.batch(context.params.batchId ?? '');
      if (!batch) throw notFound('Resource for parameter [batchId] is not found.');
      sendJson(context, 200, batchToWire(batch));
    }),
    apiRoute('GET', `${BASE}/messages`, 'Light', async (context) => listMessages(state, context)),
    apiRoute('GET', `${BASE}/opt-outs`, 'Light', async (context) => listOptOuts(state, context)),
  ];
}

function required(parameterName: string): RcError {
  return new RcError(400, 'CMN-100', `Parameter [${parameterName}] is required`, { parameterName });
}

/** `MessageBatchCreateRequest`: `from`, an optional common `text`, `messages[{to[], text?}]`. */
async function createBatch(state: EmulatorState, context: RequestContext): Promise<void> {
  resolveAccount(state, context);
  if (!(context.req.headers['content-type'] ?? '').includes('application/json')) {
    throw new RcError(415, 'CMN-415', 'Unsupported media type: use application/json');
  }
  const body = await jsonBody(context);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RcError(400, 'CMN-104', 'Cannot parse request');
  }
  const { from, text, messages } = body as Record<string, unknown>;
  if (from === undefined) throw required('from');
  if (typeof from !== 'string' || !E164.test(from)) throw badParameter('from');
  const owner = state.mailbox.extension(context.principal?.extensionId ?? '');
  // Only a number of the user with the A2PSmsSender feature may send a batch (the spec).
  if (!owner?.a2pSmsNumbers?.includes(from)) {
    throw badParameter('from', 'Parameter [from] value is invalid.');
  }
  if (text !== undefined && (typeof text !== 'string' || text.length > MAX_TEXT)) {
    throw badParameter('text');
  }
  if (!Array.isArray(messages) || messages.length === 0) throw required('messages');
  if (messages.length > MAX_MESSAGES) throw badParameter('messages');
  const accepted: Array<{ to: string; text: string }> = [];
  const rejected: A2pRejected[] = [];
  messages.forEach((message: unknown, index: number) => {
    const entry = (message ?? {}) as Record<string, unknown>;
    const own = entry.text;
    if (own !== undefined && (typeof own !== 'string' || own.length > MAX_TEXT)) {
      throw badParameter(`messages[${index}].text`);
    }
    const messageText = (own as string | undefined) ?? (text as string | undefined);
    if (messageText === undefined || messageText === '') throw required(`messages[${index}].text`);
    const to = entry.to;
    if (!Array.isArray(to) || to.some((number) => typeof number !== 'string')) {
      throw badParameter(`messages[${index}].to`);
    }
    const [number] = to as string[];
    if (to.length !== 1 || number === undefined || !NORTH_AMERICAN.test(number)) {
      rejected.push({
        index,
        to: to as string[],
        errorCode: 'CMN-100',
        description: 'The recipient is invalid',
      });
      return;
    }
    accepted.push({ to: number, text: messageText });
  });
  const batch = state.a2p.create({
    from,
    ownerExtensionId: owner.id,
    messages: accepted,
    rejected,
  });
  sendJson(context, 201, batchToWire(batch));
}

function batchToWire(batch: A2pBatchRecord): Record<string, unknown> {
  return {
    id: batch.id,
    from: batch.from,
    batchSize: batch.messageIds.length,
    processedCount: batch.processedCount,
    status: batch.status,
    creationTime: batch.creationTime,
    lastModifiedTime: batch.lastModifiedTime,
    rejected: batch.rejected,
  };
}

function messageToWire(message: A2pMessageRecord, detailed: boolean): Record<string, unknown> {
  return {
    id: int64(message.id),
    batchId: message.batchId,
    from: message.from,
    to: [message.to],
    creationTime: message.creationTime,
    lastModifiedTime: message.lastModifiedTime,
    messageStatus: message.status,
    segmentCount: Math.max(1, Math.ceil(message.text.length / 160)),
    direction: 'Outbound',
    ...(message.errorCode === undefined ? {} : { errorCode: message.errorCode }),
    ...(detailed ? { text: message.text } : {}),
  };
}

function listMessages(state: EmulatorState, context: RequestContext): void {
  resolveAccount(state, context);
  const view = context.query.get('view') ?? 'Simple';
  if (view !== 'Simple' && view !== 'Detailed') throw badParameter('view');
  const batchId = context.query.get('batchId') ?? undefined;
  const records = state.a2p.messagesOf(batchId);
  const page = tokenPage(records, context.query);
  sendJson(context, 200, {
    records: page.records.map((message) => messageToWire(message, view === 'Detailed')),
    paging: page.paging,
  });
}

function listOptOuts(state: EmulatorState, context: RequestContext): void {
  resolveAccount(state, context);
  const from = context.query.get('from');
  const to = context.query.get('to');
  const status = context.query.get('status') ?? 'optout';
  if (status !== 'optout' && status !== 'optin' && status !== 'all') throw badParameter('status');
  const records = state.a2p
    .optOutList()
    .filter((entry) => from === null || from === '*' || entry.from === from)
    .filter((entry) => to === null || entry.to === to)
    .filter((entry) => status === 'all' || (status === 'optout') === (entry.status === 'OptOut'));
  const page = tokenPage(records, context.query);
  sendJson(context, 200, {
    records: page.records.map((entry) => ({ ...entry, source: 'Recipient' })),
    paging: page.paging,
  });
}

/**
 * A page of a token-paged list (`NonEnumeratedPagingModel`). The tokens are opaque to callers;
 * here they carry the offset of the page's first record.
 */
function tokenPage<T>(
  items: readonly T[],
  query: URLSearchParams,
): { records: T[]; paging: Record<string, unknown> } {
  const rawPerPage = query.get('perPage');
  const perPage = rawPerPage === null ? MAX_PER_PAGE : Number(rawPerPage);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
    throw badParameter('perPage');
  }
  const rawToken = query.get('pageToken');
  const offset = rawToken === null ? 0 : offsetOf(rawToken);
  const token = (at: number) => `p${at.toString(36)}`;
  const records = items.slice(offset, offset + perPage);
  const paging: Record<string, unknown> = { perPage, firstPageToken: token(0) };
  if (records.length > 0) paging.pageToken = token(offset);
  if (offset + perPage < items.length) paging.nextPageToken = token(offset + perPage);
  if (offset > 0) paging.previousPageToken = token(Math.max(0, offset - perPage));
  return { records, paging };
}

function offsetOf(token: string): number {
  const match = /^p([0-9a-z]{1,10})$/.exec(token);
  const offset = match?.[1] === undefined ? Number.NaN : Number.parseInt(match[1], 36);
  if (!Number.isSafeInteger(offset)) throw badParameter('pageToken');
  return offset;
}
