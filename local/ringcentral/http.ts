/** The request context routes work with, the route shape, and response helpers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { RcError } from './errors.ts';
import { parseJson, stringifyJson } from './json.ts';
import type { Principal } from './oauth.ts';
import type { RateLimitGroup } from './rate-limiter.ts';

/** Largest request body a buffered route accepts (the fax route streams instead). */
const MAX_BUFFERED_BODY = 12 * 1024 * 1024;
/** Bodies up to this size are kept for the exchange record. */
export const CAPTURE_LIMIT = 1024 * 1024;

/** One request as routes see it. */
export interface RequestContext {
  host: 'platform' | 'media';
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  /** Set on bearer-authenticated routes. */
  principal?: Principal;
  /** The whole request body (buffered; capped). */
  body(): Promise<Buffer>;
  /** Adds streamed request bytes to the exchange record (routes that stream the body). */
  captureRequest(chunk: Buffer): void;
  /** Bytes after which a download's socket is destroyed (fault injection), if drawn. */
  dropAfter(bodyBytes: number): number | undefined;
}

/** One endpoint. */
export interface Route {
  method: string;
  /** Path pattern with `{name}` placeholders; a placeholder matches one segment. */
  path: string;
  group: RateLimitGroup;
  /** 'bearer': needs an access token; 'client': OAuth endpoint with Basic client auth. */
  auth: 'bearer' | 'client';
  hosts: Array<'platform' | 'media'>;
  handle(context: RequestContext): Promise<void>;
}

/** A route of RingCentral's API: it needs an access token and, unless said, is on the platform host. */
export function apiRoute(
  method: string,
  path: string,
  group: RateLimitGroup,
  handle: Route['handle'],
  hosts: Route['hosts'] = ['platform'],
): Route {
  return { method, path, group, auth: 'bearer', hosts, handle };
}

/** A route with its compiled pattern. */
export interface CompiledRoute extends Route {
  pattern: RegExp;
  names: string[];
}

/** Compiles `{name}` placeholders into a regular expression. */
export function compileRoute(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\{(\w+)\}/g, (_, name) => {
      names.push(name as string);
      return '([^/]+)';
    });
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

/** Reads a whole request body up to the buffered limit. */
export async function readBody(req: IncomingMessage, limit = MAX_BUFFERED_BODY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > limit) throw new RcError(413, 'CMN-114', 'Request body is too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON request body keeping big integers exact; 400 CMN-101 when unparsable. */
export async function jsonBody(context: RequestContext): Promise<unknown> {
  const body = await context.body();
  if (body.length === 0) return undefined;
  try {
    return parseJson(body.toString('utf8'));
  } catch (error) {
    throw new RcError(400, 'CMN-101', 'Request body is not valid JSON', { cause: error });
  }
}

/** Sets headers one by one (so the exchange record sees them) and writes the status line. */
export function writeHead(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.writeHead(status);
}

/** Sends a JSON response (ids made with `int64` stay bare numbers). */
export function sendJson(
  context: RequestContext,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = Buffer.from(stringifyJson(value));
  writeHead(context.res, status, {
    'Content-Type': 'application/json; charset=utf-8',
    ...headers,
    'Content-Length': String(body.length),
  });
  context.res.end(body);
}

/** Sends a body of another content type. */
export function sendText(
  context: RequestContext,
  status: number,
  contentType: string,
  body: Buffer | string,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  writeHead(context.res, status, {
    'Content-Type': contentType,
    'Content-Length': String(bytes.length),
  });
  context.res.end(bytes);
}

/** Sends a status without a body. */
export function sendEmpty(context: RequestContext, status: number): void {
  context.res.writeHead(status);
  context.res.end();
}

/** Sends a RingCentral error body. */
export function sendError(context: RequestContext, error: RcError): void {
  sendJson(context, error.status, error.body(), error.headers);
}

/**
 * Pipes a stream as the response body with backpressure. When fault injection draws a drop, the
 * socket is destroyed after `dropAfter` bytes, as a connection lost mid-body.
 */
export function sendStream(
  context: RequestContext,
  status: number,
  headers: Record<string, string>,
  stream: Readable,
  bodyBytes: number | undefined,
): Promise<void> {
  const { res } = context;
  writeHead(res, status, headers);
  const dropAt = bodyBytes !== undefined ? context.dropAfter(bodyBytes) : undefined;
  return new Promise((resolve) => {
    let sent = 0;
    const finish = () => {
      stream.destroy();
      resolve();
    };
    res.once('close', finish);
    stream.on('error', () => {
      res.destroy();
      finish();
    });
    stream.on('data', (chunk: Buffer) => {
      let piece = chunk;
      if (dropAt !== undefined && sent + piece.length >= dropAt) {
        piece = piece.subarray(0, dropAt - sent);
        res.write(piece, () => res.destroy());
        stream.pause();
        sent = dropAt;
        return;
      }
      sent += piece.length;
      if (!res.write(piece)) {
        stream.pause();
        res.once('drain', () => stream.resume());
      }
    });
    stream.on('end', () => {
      if (dropAt === undefined) res.end();
    });
  });
}

/** Reads a query parameter that may repeat (`a=1&a=2`) or be comma separated. */
export function queryList(query: URLSearchParams, name: string): string[] | undefined {
  const values = [...query.getAll(name), ...query.getAll(`${name}[]`)]
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
  return values.length > 0 ? values : undefined;
}

/** Checks every value is one of `allowed`, else 400 CMN-101 for the parameter. */
export function enumList<T extends string>(
  values: string[] | undefined,
  allowed: readonly T[],
  parameterName: string,
): T[] | undefined {
  if (!values) return undefined;
  for (const value of values) {
    if (!allowed.includes(value as T)) {
      throw new RcError(400, 'CMN-101', `Parameter [${parameterName}] value is invalid`, {
        parameterName,
      });
    }
  }
  return values as T[];
}

/** Parses an ISO date-time query parameter, else 400 CMN-101. */
export function queryDate(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new RcError(400, 'CMN-101', `Parameter [${name}] value is invalid`, {
      parameterName: name,
    });
  }
  return time;
}
