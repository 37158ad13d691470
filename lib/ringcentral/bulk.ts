import type { CallOptions } from './deadline.ts';
import { errorFromResponse, RingCentralError } from './errors.ts';
import { parseJson } from './json.ts';

/** RingCentral's limit on ids in the path of one PUT, PATCH or DELETE (CMN-106 beyond). */
export const MAX_IDS_PER_REQUEST = 50;

/** The outcome for one id of a bulk operation; failures are reported, never dropped. */
export type BulkResult<T> =
  | { id: string; ok: true; status: number; body?: T }
  | { id: string; ok: false; status?: number; error: RingCentralError };

/** Splits `items` into runs of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * Runs `send` once per chunk of at most 50 ids, in order, and turns each answer into per-id
 * results. An HTTP error for a whole chunk becomes an error result for each of its ids; an error
 * that will repeat for every chunk (deadline, abort, auth, rate limit, lost connection) stops the
 * run and is reported for every id not yet done.
 */
export async function runBulk<T>(
  ids: readonly string[],
  send: (chunkIds: string[], options?: CallOptions) => Promise<Response>,
  options?: CallOptions,
  size = MAX_IDS_PER_REQUEST,
): Promise<BulkResult<T>[]> {
  const results: BulkResult<T>[] = [];
  const chunks = chunk(ids, size);
  for (let index = 0; index < chunks.length; index += 1) {
    const chunkIds = chunks[index]!;
    try {
      const response = await send(chunkIds, options);
      results.push(...(await parseBulkResponse<T>(response, chunkIds)));
    } catch (error) {
      const failure =
        error instanceof RingCentralError
          ? error
          : new RingCentralError(`Bulk request failed: ${String(error)}`, { cause: error });
      const status = failure.status;
      const perChunk = status !== undefined && status !== 401 && status !== 403 && status !== 429;
      if (perChunk) {
        for (const id of chunkIds) results.push({ id, ok: false, status, error: failure });
        continue;
      }
      for (const id of chunks.slice(index).flat())
        results.push({ id, ok: false, status, error: failure });
      break;
    }
  }
  return results;
}

/** Turns a 200, 204 or 207 answer to a request for `ids` into one result per id. */
export async function parseBulkResponse<T>(
  response: Response,
  ids: readonly string[],
): Promise<BulkResult<T>[]> {
  if (response.status === 204) return ids.map((id) => ({ id, ok: true as const, status: 204 }));
  const contentType = response.headers.get('content-type') ?? '';
  const text = await response.text();
  if (response.status !== 207) {
    const body = text.trim() === '' ? undefined : (parseJson(text) as T);
    if (ids.length === 1) return [{ id: ids[0]!, ok: true, status: response.status, body }];
    return ids.map((id) => ({ id, ok: true as const, status: response.status }));
  }
  const entries = contentType.toLowerCase().startsWith('multipart/mixed')
    ? parseMultipartMixed(text, boundaryOf(contentType))
    : parseMultipartJson(text);
  const byId = new Map<string, BulkResult<T>>();
  entries.forEach((entry, index) => {
    const id = entry.id ?? ids[index];
    if (id === undefined) return;
    byId.set(id, toResult<T>(id, entry.status, entry.body, response));
  });
  return ids.map(
    (id) =>
      byId.get(id) ?? {
        id,
        ok: false,
        error: new RingCentralError(`The 207 response held no result for id ${id}`, {
          status: 207,
        }),
      },
  );
}

interface Entry {
  id: string | undefined;
  status: number;
  body: unknown;
}

function toResult<T>(id: string, status: number, body: unknown, response: Response): BulkResult<T> {
  if (status >= 200 && status < 300) return { id, ok: true, status, body: body as T };
  return {
    id,
    ok: false,
    status,
    error: errorFromResponse(status, body, {
      url: response.url,
      requestId: response.headers.get('rcrequestid') ?? undefined,
    }),
  };
}

/** `application/vnd.ringcentral.multipart+json`: `[{resourceId, status, body}]`. */
function parseMultipartJson(text: string): Entry[] {
  const parsed = parseJson(text);
  if (!Array.isArray(parsed))
    throw new RingCentralError('A 207 JSON body was not an array', { status: 207 });
  return parsed.map((item: Record<string, unknown>) => ({
    id: item.resourceId === undefined ? undefined : String(item.resourceId),
    status: Number(item.status),
    body: item.body,
  }));
}

function boundaryOf(contentType: string): string {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary)
    throw new RingCentralError('A multipart/mixed 207 response had no boundary', { status: 207 });
  return boundary.trim();
}

/**
 * `multipart/mixed`: the first part is `{"response":[{href,status,responseDescription}]}`, then
 * one part per resource in the same order.
 */
function parseMultipartMixed(text: string, boundary: string): Entry[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  for (const raw of text.split(delimiter).slice(1)) {
    if (raw.startsWith('--')) break;
    const separator = /\r?\n\r?\n/.exec(raw);
    const body = separator ? raw.slice(separator.index + separator[0].length) : raw;
    parts.push(body.replace(/\r?\n$/, ''));
  }
  const [head, ...bodies] = parts;
  const summary = head === undefined ? undefined : (parseJson(head) as { response?: unknown });
  if (!summary || !Array.isArray(summary.response)) {
    throw new RingCentralError('A multipart/mixed 207 response did not start with a status part', {
      status: 207,
    });
  }
  return summary.response.map((item: Record<string, unknown>, index) => {
    const href = typeof item.href === 'string' ? item.href : '';
    const last = (href.split('?')[0] ?? '').replace(/\/+$/, '').split('/').pop() ?? '';
    const id = /^\d+$/.test(last) ? last : undefined;
    const bodyText = bodies[index];
    let body: unknown;
    if (bodyText !== undefined && bodyText.trim() !== '') {
      try {
        body = parseJson(bodyText);
      } catch {
        body = { message: bodyText.slice(0, 500) };
      }
    }
    return { id, status: Number(item.status), body };
  });
}
