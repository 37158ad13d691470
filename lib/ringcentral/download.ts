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

  const contentType = first.headers.get('content-type') ?? undefined;
  const fileName = fileNameOf(first.headers.get('content-disposition'));
  const status = first.status;
  // Chunks pass through as the socket delivered them (no copy); the Readable's own buffer holds at
  // most its high-water mark ahead of the consumer. Memory while streaming is documented and measured in
  // docs/BENCHMARKS.md (streaming): it depends on the V8 young-generation size, not on this code.
  return {
    stream: new ResumingDownloadStream(first, { start, stopAt, maxResumes, request, options }),
    size,
    totalSize,
    contentType,
    fileName,
    status,
  };
}

/** What {@link ResumingDownloadStream} needs of the download it continues. */
interface DownloadPlan {
  start: number;
  /** Exclusive end offset of what the stream must deliver, when known. */
  stopAt: number | undefined;
  maxResumes: number;
  request(from: number): Promise<Response>;
  options: DownloadOptions;
}

/**
 * The bytes of a download, read straight from the response body's reader and resumed after a
 * drop. A Readable subclass rather than an async generator under `Readable.from`: that pair costs
 * two promise hops per chunk on top of the reader's own, which showed as a tenth of the
 * archiver's CPU (docs/BENCHMARKS.md, archive-throughput).
 */
class ResumingDownloadStream extends Readable {
  #plan: DownloadPlan;
  /** Replaced on resume, so that nothing keeps a dropped response's queued bytes alive. */
  #response: Response | undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #position: number;
  #skip = 0;
  #resumes = 0;
  #stalled = 0;
  #resumedAt = -1;
  #pumping = false;
  #finished = false;

  constructor(first: Response, plan: DownloadPlan) {
    super();
    this.#plan = plan;
    this.#response = first;
    this.#position = plan.start;
  }

  override _read(): void {
    if (!this.#pumping) void this.#pump();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#release(error ?? undefined);
    callback(error);
  }

  /** Pushes chunks until the consumer's buffer is full or the bytes end. */
  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      for (;;) {
        const piece = await this.#next();
        if (this.destroyed) return;
        if (piece === undefined) {
          this.push(null);
          return;
        }
        if (!this.push(piece)) return;
      }
    } catch (error) {
      this.destroy(error as Error);
    } finally {
      this.#pumping = false;
    }
  }

  /** The next piece within the range, resuming as needed; `undefined` at the end. */
  async #next(): Promise<Buffer | undefined> {
    const { stopAt } = this.#plan;
    for (;;) {
      if (this.#finished) return undefined;
      try {
        const reader = this.#reader ?? this.#open();
        if (!reader) return undefined;
        const { done, value } = await reader.read();
        if (this.destroyed) return undefined;
        if (done) {
          if (stopAt === undefined || this.#position >= stopAt) return this.#finish();
          throw new TransportError(
            `The download ended at byte ${this.#position} of ${stopAt}`,
            false,
          );
        }
        let piece = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        if (this.#skip > 0) {
          const dropped = Math.min(this.#skip, piece.length);
          piece = piece.subarray(dropped);
          this.#skip -= dropped;
        }
        if (stopAt !== undefined && this.#position + piece.length > stopAt)
          piece = piece.subarray(0, stopAt - this.#position);
        if (piece.length === 0) continue;
        this.#position += piece.length;
        if (stopAt !== undefined && this.#position >= stopAt) this.#finish();
        return piece;
      } catch (error) {
        if (this.destroyed) return undefined;
        await this.#resume(error);
      }
    }
  }

  /** Starts reading the current response; `undefined` when it has no body. */
  #open(): ReadableStreamDefaultReader<Uint8Array> | undefined {
    const response = this.#response;
    if (!response?.body) {
      this.#finished = true;
      return undefined;
    }
    // A server that ignores Range answers 200 from byte 0: skip what was already delivered.
    const servedFrom =
      response.status === 206 ? (contentRange(response.headers)?.start ?? this.#position) : 0;
    if (servedFrom > this.#position) {
      throw new RingCentralError(
        `The server resumed at byte ${servedFrom}, after the ${this.#position} needed`,
      );
    }
    this.#skip = this.#position - servedFrom;
    this.#reader = response.body.getReader();
    return this.#reader;
  }

  /** Marks the range delivered and lets go of the connection. */
  #finish(): undefined {
    this.#finished = true;
    this.#release();
    return undefined;
  }

  #release(reason?: unknown): void {
    const reader = this.#reader;
    this.#reader = undefined;
    this.#response = undefined;
    reader?.cancel(reason).catch(() => undefined);
  }

  /** Decides whether `error` allows a resume, and requests the rest from where it stopped. */
  async #resume(error: unknown): Promise<void> {
    const { options, maxResumes } = this.#plan;
    const position = this.#position;
    if (options.signal?.aborted)
      throw new AbortedError('The download was aborted', { cause: error });
    if (remainingMs(options) <= 0) {
      throw new DeadlineExceededError(
        `The download stopped at byte ${position}: deadline reached`,
        undefined,
        { cause: error },
      );
    }
    if (error instanceof RingCentralError && !(error instanceof TransportError)) throw error;
    // A drop after progress is a new incident; only resumes that gain nothing count against
    // the limit, so a long file over a flaky link still completes.
    this.#stalled = position > this.#resumedAt ? 0 : this.#stalled + 1;
    if (this.#stalled >= maxResumes || this.#resumes >= MAX_TOTAL_RESUMES) {
      throw new TransportError(
        `The download failed at byte ${position} after ${this.#resumes} resumes`,
        false,
        { cause: error },
      );
    }
    this.#resumes += 1;
    this.#resumedAt = position;
    options.onResume?.({ offset: position, resume: this.#resumes, cause: error });
    this.#release(error);
    this.#response = await this.#plan.request(position);
  }
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
