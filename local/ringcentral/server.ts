/**
 * The request pipeline of both hosts: routing, latency and 429-storm faults, bearer auth, rate
 * limits, server-error faults, the handler, RingCentral error bodies, and the exchange record
 * of every request/response pair. Also the inspection endpoints under /__emulator.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { badParameter, RcError } from './errors.ts';
import type { ExtensionKind } from './extension-mix.ts';
import { EXTENSION_STATUSES, type ExtensionStatus } from './extension-types.ts';
import type { FaultOptions } from './faults.ts';
import {
  CAPTURE_LIMIT,
  type CompiledRoute,
  compileRoute,
  jsonBody,
  type RequestContext,
  type Route,
  readBody,
  sendEmpty,
  sendError,
  sendJson,
} from './http.ts';
import type { MessageDraft, MessageStatusUpdate } from './mailbox.ts';
import type { MessageStatus } from './mailbox-types.ts';
import type { RateLimitGroup } from './rate-limiter.ts';
import { type EmulatorState, emptyStats } from './state.ts';
import { messageToWire } from './wire.ts';

/** One request and its response as seen on the wire (bodies only when small and not media). */
export interface Exchange {
  host: 'platform' | 'media';
  method: string;
  /** Pathname, e.g. /restapi/v1.0/account/~/extension/~/message-store. */
  path: string;
  /** Raw query string without '?'. */
  query: string;
  requestHeaders: Record<string, string>;
  requestBody?: Buffer;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody?: Buffer;
}

/** Told of an error that became a 500 nobody injected: `request` is `METHOD /path`. */
export type UnexpectedErrorListener = (error: unknown, request: string) => void;

/** The cause of a 500 belongs in the operator's terminal, never in the response body. */
export const logUnexpectedError: UnexpectedErrorListener = (error, request) => {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`Local RingCentral answered 500 to ${request}: ${detail}\n`);
};

const BINARY_TYPES = /^(audio|image|video)\/|^application\/(pdf|zip|octet-stream)/i;

/** Builds the request listener of one host. */
export function createHandler(
  host: 'platform' | 'media',
  state: EmulatorState,
  routes: Route[],
  listeners: {
    onExchange?: (exchange: Exchange) => void;
    onUnexpectedError?: UnexpectedErrorListener;
  } = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const { onExchange, onUnexpectedError = logUnexpectedError } = listeners;
  const compiled = routes.filter((route) => route.hosts.includes(host)).map(compileRoute);
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    // The inspection endpoints are the emulator's own, not RingCentral's: they are not reported.
    const inspection = url.pathname.startsWith('/__emulator/');
    const recorder =
      onExchange && !inspection ? recordExchange(host, req, res, url, onExchange) : undefined;
    const context = createContext(host, state, req, res, url, recorder);
    dispatch(host, state, compiled, context).catch((error: unknown) => {
      if (!(error instanceof RcError)) onUnexpectedError(error, `${req.method} ${url.pathname}`);
      const rcError =
        error instanceof RcError
          ? error
          : new RcError(500, 'CMN-201', 'Service temporarily unavailable', { cause: error });
      // Whatever of the body is still unread is discarded so the client sees the answer.
      req.resume();
      if (!res.headersSent) sendError(context, rcError);
      else res.destroy();
    });
  };
}

interface Recorder {
  requestChunks: Buffer[];
  requestBytes: number;
}

function createContext(
  host: 'platform' | 'media',
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  recorder: Recorder | undefined,
): RequestContext {
  let body: Promise<Buffer> | undefined;
  const capture = (chunk: Buffer) => {
    if (!recorder) return;
    recorder.requestBytes += chunk.length;
    if (recorder.requestBytes <= CAPTURE_LIMIT) recorder.requestChunks.push(chunk);
  };
  return {
    host,
    req,
    res,
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    params: {},
    body() {
      body ??= readBody(req).then((buffer) => {
        capture(buffer);
        return buffer;
      });
      return body;
    },
    captureRequest: capture,
    dropAfter: (bytes) => state.faults.dropAfter(bytes),
  };
}

function clientKey(authorization: string | undefined): string {
  const match = /^Basic\s+(.+)$/i.exec(authorization ?? '');
  const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString() : '';
  return `client|${decoded.split(':')[0] ?? ''}`;
}

function bearerToken(context: RequestContext): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(context.req.headers.authorization ?? '');
  if (match?.[1]) return match[1].trim();
  // The media host also takes the token as a query parameter.
  return context.host === 'media' ? (context.query.get('access_token') ?? undefined) : undefined;
}

async function dispatch(
  host: 'platform' | 'media',
  state: EmulatorState,
  routes: CompiledRoute[],
  context: RequestContext,
): Promise<void> {
  if (host === 'platform' && context.path.startsWith('/__emulator/')) {
    await inspect(state, context);
    return;
  }
  let pathMatched = false;
  let matched: CompiledRoute | undefined;
  for (const route of routes) {
    const match = route.pattern.exec(context.path);
    if (!match) continue;
    pathMatched = true;
    if (route.method !== context.method) continue;
    matched = route;
    route.names.forEach((name, index) => {
      context.params[name] = decodeURIComponent(match[index + 1] ?? '');
    });
    break;
  }
  // Scheduled extension changes that have come due take effect before the request is answered.
  state.extensions.applyDue();
  const latency = state.faults.latencyMs();
  if (latency > 0) await delay(latency);
  if (!matched) {
    throw pathMatched
      ? new RcError(405, 'CMN-405', `Method [${context.method}] is not allowed for this resource`)
      : new RcError(404, 'CMN-102', `Resource [${context.path}] is not found`);
  }
  const group: RateLimitGroup = matched.group;
  state.stats.requests += 1;
  state.stats.requestsByGroup[group] += 1;
  if (state.faults.storm()) {
    state.stats.tooManyRequestsByGroup[group] += 1;
    throw tooManyRequests({
      'Retry-After': String(state.faults.stormRetryAfterSeconds()),
      'X-Rate-Limit-Group': group,
    });
  }
  let key: string;
  if (matched.auth === 'bearer') {
    context.principal = state.oauth.authenticate(bearerToken(context));
    key = `${context.principal.extensionId}|${context.principal.clientId}`;
  } else {
    key = clientKey(context.req.headers.authorization);
  }
  const decision = state.limiter.take(key, group);
  for (const [name, value] of Object.entries(decision.headers)) context.res.setHeader(name, value);
  if (!decision.allowed) {
    state.stats.tooManyRequestsByGroup[group] += 1;
    throw tooManyRequests(decision.headers);
  }
  const serverError = state.faults.serverError();
  if (serverError !== undefined) {
    throw new RcError(
      serverError,
      serverError === 503 ? 'CMN-211' : 'CMN-201',
      serverError === 503 ? 'Service is temporarily unavailable' : 'Internal server error',
    );
  }
  await matched.handle(context);
}

function tooManyRequests(headers: Record<string, string>): RcError {
  return new RcError(429, 'CMN-301', 'Request rate exceeded', { headers });
}

/** The test and operator endpoints outside /restapi. */
async function inspect(state: EmulatorState, context: RequestContext): Promise<void> {
  const { path, method } = context;
  if (method === 'GET' && path === '/__emulator/stats') {
    sendJson(context, 200, state.stats);
    return;
  }
  if (method === 'POST' && path === '/__emulator/reset-stats') {
    Object.assign(state.stats, emptyStats());
    sendEmpty(context, 204);
    return;
  }
  if (method === 'POST' && path === '/__emulator/faults') {
    const faults = ((await jsonBody(context)) ?? {}) as FaultOptions;
    state.faults.set(faults);
    sendJson(context, 200, state.faults.get());
    return;
  }
  const blacklist = /^\/__emulator\/subscriptions\/([^/]+)\/blacklist$/.exec(path);
  if (method === 'POST' && blacklist?.[1]) {
    state.subscriptions.blacklist(decodeURIComponent(blacklist[1]));
    sendEmpty(context, 204);
    return;
  }
  if (await changeDirectory(state, context)) return;
  if (await changeMessageStatus(state, context)) return;
  const receive = /^\/__emulator\/extensions\/([^/]+)\/receive$/.exec(path);
  if (method === 'POST' && receive?.[1]) {
    const body = await jsonBody(context);
    const drafts = (Array.isArray(body) ? body : [body]) as MessageDraft[];
    const created = state.mailbox.receive(receive[1], ...drafts);
    sendJson(context, 200, { records: created.map(messageToWire) });
    return;
  }
  throw new RcError(404, 'CMN-102', `Resource [${path}] is not found`);
}

/**
 * POST /__emulator/extensions `{type, status}` adds one (201, the new extension), DELETE
 * /__emulator/extensions/{id} removes one (204), POST /__emulator/extensions/{id}/status
 * `{status}` changes one (200). False when the request is none of these.
 */
async function changeDirectory(state: EmulatorState, context: RequestContext): Promise<boolean> {
  const { path, method } = context;
  if (method === 'POST' && path === '/__emulator/extensions') {
    const kind = ((await jsonBody(context)) ?? {}) as Partial<ExtensionKind>;
    const added = state.extensions.add({
      type: kind.type ?? 'User',
      status: kind.status ?? 'Enabled',
    });
    sendJson(context, 201, added);
    return true;
  }
  const one = /^\/__emulator\/extensions\/(\d+)(\/status)?$/.exec(path);
  if (!one?.[1]) return false;
  if (method === 'DELETE' && !one[2]) {
    state.extensions.remove(one[1]);
    sendEmpty(context, 204);
    return true;
  }
  if (method === 'POST' && one[2]) {
    const body = ((await jsonBody(context)) ?? {}) as { status?: ExtensionStatus };
    if (!body.status || !EXTENSION_STATUSES.includes(body.status)) throw badParameter('status');
    sendJson(context, 200, state.extensions.setStatus(one[1], body.status));
    return true;
  }
  return false;
}

/** The statuses a carrier update may set (the spec's `MessageStatusEnum`). */
const MESSAGE_STATUSES: readonly MessageStatus[] = [
  'Queued',
  'Sent',
  'Delivered',
  'DeliveryFailed',
  'SendingFailed',
  'Received',
];

/**
 * POST /__emulator/messages/{id}/status `{messageStatus, deliveryErrorCode?, faxErrorCode?,
 * faxPageCount?}`: a carrier's update of an outbound message (200, the message; 404 CMN-102 for
 * an unknown id). False when the request is not this one.
 */
async function changeMessageStatus(
  state: EmulatorState,
  context: RequestContext,
): Promise<boolean> {
  const match = /^\/__emulator\/messages\/(\d+)\/status$/.exec(context.path);
  if (context.method !== 'POST' || !match?.[1]) return false;
  const body = ((await jsonBody(context)) ?? {}) as Partial<
    Record<keyof MessageStatusUpdate, unknown>
  >;
  const status = body.messageStatus as MessageStatus;
  if (!MESSAGE_STATUSES.includes(status)) throw badParameter('messageStatus');
  const text = (name: 'deliveryErrorCode' | 'faxErrorCode') => {
    const value = body[name];
    if (value === undefined) return {};
    if (typeof value !== 'string') throw badParameter(name);
    return { [name]: value };
  };
  const pages = body.faxPageCount;
  if (pages !== undefined && !(Number.isInteger(pages) && (pages as number) >= 0)) {
    throw badParameter('faxPageCount');
  }
  const message = state.mailbox.setMessageStatus(match[1], {
    messageStatus: status,
    ...text('deliveryErrorCode'),
    ...text('faxErrorCode'),
    ...(pages === undefined ? {} : { faxPageCount: pages as number }),
  });
  if (!message) throw new RcError(404, 'CMN-102', `Resource [${context.path}] is not found`);
  sendJson(context, 200, messageToWire(message));
  return true;
}

function headerRecord(headers: Record<string, unknown>): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    record[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return record;
}

type WriteFunction = (chunk: unknown, ...rest: unknown[]) => boolean;
type EndFunction = (...args: unknown[]) => ServerResponse;

/** Tees small non-media bodies of a request/response pair and reports them when the response closes. */
function recordExchange(
  host: 'platform' | 'media',
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  onExchange: (exchange: Exchange) => void,
): Recorder {
  const recorder: Recorder = { requestChunks: [], requestBytes: 0 };
  const responseChunks: Buffer[] = [];
  let responseBytes = 0;
  const keep = (chunk: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const length =
      typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).length;
    responseBytes += length;
    // Past the limit nothing is copied: a large download must not cost memory here.
    if (responseBytes > CAPTURE_LIMIT) return;
    responseChunks.push(
      typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array),
    );
  };
  const writable = res as unknown as { write: WriteFunction; end: EndFunction };
  const write = writable.write.bind(res);
  const end = writable.end.bind(res);
  writable.write = (chunk, ...rest) => {
    keep(chunk);
    return write(chunk, ...rest);
  };
  writable.end = (...args) => {
    keep(args[0]);
    return end(...args);
  };
  res.once('close', () => {
    const responseHeaders = headerRecord(res.getHeaders());
    const contentType = responseHeaders['content-type'] ?? '';
    const exchange: Exchange = {
      host,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      requestHeaders: headerRecord(req.headers),
      status: res.statusCode,
      responseHeaders,
    };
    if (recorder.requestBytes > 0 && recorder.requestBytes <= CAPTURE_LIMIT) {
      exchange.requestBody = Buffer.concat(recorder.requestChunks);
    }
    if (responseBytes > 0 && responseBytes <= CAPTURE_LIMIT && !BINARY_TYPES.test(contentType)) {
      exchange.responseBody = Buffer.concat(responseChunks);
    }
    try {
      onExchange(exchange);
    } catch {
      // A failing observer must not break the emulator.
    }
  });
  return recorder;
}
