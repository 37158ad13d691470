import { Readable } from 'node:stream';
import type { RequestSpec, Transport } from './client.ts';
import type { CallOptions } from './deadline.ts';
import { remainingMs } from './deadline.ts';
import { AbortedError, DeadlineExceededError, RingCentralError, TransportError } from './errors.ts';

/** Upper bound on resumes of one download, progress or not. */
const MAX_TOTAL_RESUMES = 100;

/** Byte range to read; `end` is inclusive, as in the Range header. */
export interface ByteRange {
  start: number;
  end?: number;
}

/** Options of a streamed download. */
export interface DownloadOptions extends CallOptions {
  range?: ByteRange;
  /** How many resumes in a row may make no progress before the download fails; default 5. */
  maxResumes?: number;
  /** Called before each resume, with the offset it resumes from. */
  onResume?(info: { offset: number; resume: number; cause: unknown }): void;
}

/** A download in progress: bytes flow through `stream`, never held whole in memory. */
export interface DownloadedContent {
  stream: Readable;
  /** Bytes the stream will deliver, when the server said. */
  size: number | undefined;
  /** Size of the whole resource, when known (Content-Range total or Content-Length of a 200). */
  totalSize: number | undefined;
  contentType: string | undefined;
  fileName: string | undefined;
  /** 200 or 206 of the first response. */
  status: number;
}

/**
 * Streams a binary resource, resuming with `Range: bytes=<reached>-` after a dropped connection so
 * that the bytes delivered are exactly those of one uninterrupted download.
 */
export async function openDownload(
  transport: Transport,
  spec: Omit<RequestSpec, 'method'>,
  options: DownloadOptions = {},
): Promise<DownloadedContent> {
  const start = options.range?.start ?? 0;
  const end = options.range?.end;
  if (
    !Number.isInteger(start) ||
    start < 0 ||
    (end !== undefined && (!Number.isInteger(end) || end < start))
  ) {
    throw new RingCentralError(`Invalid byte range ${JSON.stringify(options.range)}`);
  }
  const maxResumes = options.maxResumes ?? 5;
  const request = (from: number): Promise<Response> => {
    const ranged = from > 0 || end !== undefined;
    return transport.send(
      {
        ...spec,
        method: 'GET',
        accept: '*/*',
        streamed: true,
        headers: { ...spec.headers, ...(ranged ? { range: `bytes=${from}-${end ?? ''}` } : {}) },
      },
      options,
    );
  };

  const first = await request(start);
  const firstRange = contentRange(first.headers);
  const length = numberHeader(first.headers, 'content-length');
  const totalSize = firstRange?.total ?? (first.status === 200 ? length : undefined);
  // The exclusive end offset of what this stream must deliver.
  const stopAt =
    end !== undefined
      ? end + 1
      : firstRange
        ? firstRange.end + 1
        : totalSize !== undefined
          ? totalSize
          : undefined;
  const size = stopAt === undefined ? undefined : stopAt - start;

  // `first` comes in as an argument so that, once a resume replaces it, nothing keeps the
  // dropped response (and whatever its body had queued) alive for the rest of the download.
  async function* bytes(initial: Response): AsyncGenerator<Buffer> {
    let position = start;
    let response: Response = initial;
    let resumes = 0;
    let stalled = 0;
    let resumedAt = -1;
    for (;;) {
      // A server that ignores Range answers 200 from byte 0: skip what was already delivered.
      const servedFrom =
        response.status === 206 ? (contentRange(response.headers)?.start ?? position) : 0;
      if (servedFrom > position) {
        throw new RingCentralError(
          `The server resumed at byte ${servedFrom}, after the ${position} needed`,
        );
      }
      let skip = position - servedFrom;
      try {
        const body = response.body;
        if (!body) break;
        for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
          let piece = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          if (skip > 0) {
            const dropped = Math.min(skip, piece.length);
            piece = piece.subarray(dropped);
            skip -= dropped;
          }
          if (stopAt !== undefined && position + piece.length > stopAt)
            piece = piece.subarray(0, stopAt - position);
          if (piece.length === 0) continue;
          position += piece.length;
          yield piece;
          if (stopAt !== undefined && position >= stopAt) return;
        }
        if (stopAt === undefined || position >= stopAt) return;
        throw new TransportError(`The download ended at byte ${position} of ${stopAt}`, false);
      } catch (error) {
        if (options.signal?.aborted)
          throw new AbortedError('The download was aborted', { cause: error });
        if (remainingMs(options) <= 0) {
          throw new DeadlineExceededError(
            `The download stopped at byte ${position}: deadline reached`,
            undefined,
            {
              cause: error,
            },
          );
        }
        if (error instanceof RingCentralError && !(error instanceof TransportError)) throw error;
        // A drop after progress is a new incident; only resumes that gain nothing count against
        // the limit, so a long file over a flaky link still completes.
        stalled = position > resumedAt ? 0 : stalled + 1;
        if (stalled >= maxResumes || resumes >= MAX_TOTAL_RESUMES) {
          throw new TransportError(
            `The download failed at byte ${position} after ${resumes} resumes`,
            false,
            {
              cause: error,
            },
          );
        }
        resumes += 1;
        resumedAt = position;
        options.onResume?.({ offset: position, resume: resumes, cause: error });
        response = await request(position);
      }
    }
  }

  const contentType = first.headers.get('content-type') ?? undefined;
  const fileName = fileNameOf(first.headers.get('content-disposition'));
  const status = first.status;
  // Chunks pass through as the socket delivered them (no copy); the Readable's own buffer holds at
  // most one chunk ahead of the consumer. Memory while streaming is documented and measured in
  // docs/BENCHMARKS.md (streaming): it depends on the V8 young-generation size, not on this code.
  return {
    stream: Readable.from(bytes(first), { objectMode: false }),
    size,
    totalSize,
    contentType,
    fileName,
    status,
  };
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || !/^\d+$/.test(raw.trim())) return undefined;
  return Number(raw);
}

function contentRange(
  headers: Headers,
): { start: number; end: number; total: number | undefined } | undefined {
  const match = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(headers.get('content-range')?.trim() ?? '');
  if (!match) return undefined;
  return {
    start: Number(match[1]),
    end: Number(match[2]),
    total: match[3] === '*' ? undefined : Number(match[3]),
  };
}

/** The file name of a Content-Disposition header (RFC 6266, `filename*` preferred). */
export function fileNameOf(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(disposition);
  if (extended?.[2]) {
    try {
      return decodeURIComponent(extended[2].trim());
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(disposition);
  const name = plain?.[1] ?? plain?.[2];
  return name?.replace(/\\(.)/g, '$1').trim();
}
