/**
 * A forward-only zip reader for the export archives, reading the download as it arrives.
 *
 * Why not yauzl: it needs random access (it starts at the central directory at the end), so a
 * 1 GB archive would first have to land on disk, which Lambda's /tmp may not hold and which
 * serialises download and upload. Reading local headers in order lets each entry stream straight
 * into its S3 object while the download continues, with memory bounded by a few chunks.
 *
 * Supported: stored (0) and deflated (8) entries, sizes in the local header or in a data
 * descriptor after the data (general purpose bit 3, as yazl and Java's ZipOutputStream write),
 * ZIP64 sizes. An entry whose sizes follow its data is delimited by its data descriptor, which
 * must carry its signature (PK\x07\x08): a candidate is accepted only when its compressed size
 * equals the bytes read so far, the next four bytes start another zip record and, for a stored
 * entry, its CRC-32 is that of the bytes read so far; the entry's CRC-32 and size are verified
 * again at its end, so a false match cannot go unnoticed. Encrypted entries and
 * descriptors without signature are refused with {@link ZipFormatError}.
 */
import { PassThrough, pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';

/** The archive is not a zip this reader can read, or an entry failed its CRC or size check. */
export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** One file of the archive, its bytes flowing through `stream`. */
export interface ZipStreamEntry {
  /** The path inside the archive. */
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  /** Uncompressed size when the local header says (else known only after the data). */
  declaredSize: number | undefined;
  /**
   * The uncompressed bytes, verified against the entry's CRC-32 and size at the end (the stream
   * errors with {@link ZipFormatError} on a mismatch). Read it to the end, or leave it unread to
   * skip the entry; the next entry is read only after this one.
   */
  stream: Readable;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const ARCHIVE_EXTRA_DATA = 0x08064b50;
const ZIP64_END = 0x06064b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const DIGITAL_SIGNATURE = 0x05054b50;
/** Records that may follow an entry's data descriptor. */
const NEXT_RECORDS = new Set([
  LOCAL_HEADER,
  CENTRAL_HEADER,
  ARCHIVE_EXTRA_DATA,
  ZIP64_END,
  END_OF_CENTRAL_DIRECTORY,
  DIGITAL_SIGNATURE,
]);
/** The data descriptor's signature, PK\x07\x08 (0x08074b50). */
const SIGNATURE_BYTES = Buffer.from([0x50, 0x4b, 0x07, 0x08]);
/** Bytes a descriptor candidate needs to be judged: a ZIP64 descriptor (24) and the next signature. */
const DESCRIPTOR_LOOKAHEAD = 28;
const UINT32 = 2 ** 32;

/** Buffered, pull-based access to the bytes of a stream. */
class ByteSource {
  readonly #iterator: AsyncIterator<Buffer>;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #ended = false;

  constructor(source: AsyncIterable<Buffer | Uint8Array | string>) {
    const iterator = source[Symbol.asyncIterator]();
    this.#iterator = {
      next: async () => {
        const item = await iterator.next();
        if (item.done) return item;
        const value = item.value;
        return {
          done: false,
          value:
            typeof value === 'string'
              ? Buffer.from(value)
              : Buffer.from(value.buffer, value.byteOffset, value.byteLength),
        };
      },
      ...(iterator.return
        ? { return: () => iterator.return?.() as Promise<IteratorResult<Buffer>> }
        : {}),
    };
  }

  get ended(): boolean {
    return this.#ended && this.#buffered === 0;
  }

  /** Reads one more chunk into the buffer; false at the end of the source. */
  async fill(): Promise<boolean> {
    if (this.#ended) return false;
    const item = await this.#iterator.next();
    if (item.done) {
      this.#ended = true;
      return false;
    }
    if (item.value.length > 0) {
      this.#chunks.push(item.value);
      this.#buffered += item.value.length;
    }
    return true;
  }

  /** At least `count` bytes, or fewer only at the end of the source. */
  async ensure(count: number): Promise<number> {
    while (this.#buffered < count && (await this.fill())) {}
    return this.#buffered;
  }

  /** Takes exactly `count` bytes; throws at a premature end. */
  async read(count: number, what: string): Promise<Buffer> {
    if ((await this.ensure(count)) < count) {
      throw new ZipFormatError(`The archive ends inside ${what}`);
    }
    return this.take(count);
  }

  /** Takes up to `count` buffered bytes (all that is buffered when `count` is omitted). */
  take(count = this.#buffered): Buffer {
    const wanted = Math.min(count, this.#buffered);
    const parts: Buffer[] = [];
    let taken = 0;
    while (taken < wanted) {
      const chunk = this.#chunks[0] as Buffer;
      const piece = chunk.length <= wanted - taken ? chunk : chunk.subarray(0, wanted - taken);
      if (piece === chunk) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(piece.length);
      parts.push(piece);
      taken += piece.length;
    }
    this.#buffered -= taken;
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, taken);
  }

  /** Puts bytes back in front. */
  unshift(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#chunks.unshift(bytes);
    this.#buffered += bytes.length;
  }

  /** Reads and discards everything left. */
  async drain(): Promise<void> {
    this.take();
    while (await this.fill()) this.take();
  }

  async close(): Promise<void> {
    await this.#iterator.return?.();
  }
}

interface LocalHeader {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  sizesFollow: boolean;
}

/** What the data descriptor (or the header) says the entry is; filled in before the data ends. */
interface EntryTotals {
  crc?: number;
  size?: number;
}

function readUInt64(buffer: Buffer, offset: number): number {
  return buffer.readUInt32LE(offset) + buffer.readUInt32LE(offset + 4) * UINT32;
}

async function readLocalHeader(source: ByteSource): Promise<LocalHeader> {
  const fixed = await source.read(26, 'a local file header');
  const flags = fixed.readUInt16LE(2);
  const method = fixed.readUInt16LE(4);
  let crc = fixed.readUInt32LE(10);
  let compressedSize = fixed.readUInt32LE(14);
  let uncompressedSize = fixed.readUInt32LE(18);
  const nameLength = fixed.readUInt16LE(22);
  const extraLength = fixed.readUInt16LE(24);
  const nameBytes = await source.read(nameLength, 'a file name');
  const extra = await source.read(extraLength, 'an extra field');
  const name = nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1');
  if (flags & 0x1) throw new ZipFormatError(`Entry ${name} is encrypted`);
  if (method !== 0 && method !== 8) {
    throw new ZipFormatError(`Entry ${name} uses compression method ${method}`);
  }
  // ZIP64: sizes of 0xffffffff are in the extra field 0x0001 (uncompressed first).
  for (let offset = 0; offset + 4 <= extra.length; ) {
    const tag = extra.readUInt16LE(offset);
    const size = extra.readUInt16LE(offset + 2);
    if (tag === 0x0001) {
      let field = offset + 4;
      if (uncompressedSize === 0xffffffff && field + 8 <= offset + 4 + size) {
        uncompressedSize = readUInt64(extra, field);
        field += 8;
      }
      if (compressedSize === 0xffffffff && field + 8 <= offset + 4 + size) {
        compressedSize = readUInt64(extra, field);
      }
    }
    offset += 4 + size;
  }
  const sizesFollow = (flags & 0x8) !== 0;
  if (sizesFollow) crc = 0;
  return { name, flags, method, crc, compressedSize, uncompressedSize, sizesFollow };
}

/** The compressed bytes of an entry whose size the header gives. */
async function* knownLengthData(source: ByteSource, length: number, name: string) {
  let left = length;
  while (left > 0) {
    if ((await source.ensure(1)) === 0) {
      throw new ZipFormatError(`The archive ends inside entry ${name}`);
    }
    const piece = source.take(left);
    left -= piece.length;
    yield piece;
  }
}

/**
 * The compressed bytes of an entry whose sizes follow it: everything up to the data descriptor
 * whose compressed size matches the bytes before it and which is followed by another record.
 */
async function* descriptorDelimitedData(
  source: ByteSource,
  header: LocalHeader,
  totals: EntryTotals,
) {
  let emitted = 0;
  // CRC-32 of the bytes emitted so far: for a stored entry they are the entry's own bytes, so a
  // descriptor candidate must also carry their CRC (the data may contain anything, signatures too).
  let emittedCrc = 0;
  let crcRefused = false;
  let window: Buffer = Buffer.alloc(0);
  for (;;) {
    if (!source.ended) {
      await source.ensure(1);
      const more = source.take();
      if (more.length > 0) window = window.length === 0 ? more : Buffer.concat([window, more]);
    }
    const atEnd = source.ended;
    let searchFrom = 0;
    for (;;) {
      const at = window.indexOf(SIGNATURE_BYTES, searchFrom);
      if (at < 0) break;
      if (at + DESCRIPTOR_LOOKAHEAD > window.length && !atEnd) {
        // Too close to the end of what arrived to judge: emit what is before it and read on.
        if (at > 0) {
          yield window.subarray(0, at);
          emitted += at;
          if (header.method === 0) emittedCrc = crc32(window.subarray(0, at), emittedCrc);
        }
        window = window.subarray(at);
        searchFrom = -1;
        break;
      }
      const length = emitted + at;
      const matches = (descriptorSize: number, compressed: number, uncompressed: number) =>
        at + descriptorSize + 4 <= window.length &&
        NEXT_RECORDS.has(window.readUInt32LE(at + descriptorSize)) &&
        compressed === length &&
        (header.method !== 0 || uncompressed === length);
      const crc = window.readUInt32LE(at + 4);
      const crcMatches =
        header.method !== 0 || crc32(window.subarray(0, at), emittedCrc) >>> 0 === crc;
      let descriptorSize = 0;
      if (!crcMatches) {
        // Not this entry's descriptor (signature bytes inside stored data), unless the data is
        // damaged: remembered so that the error can say so.
        crcRefused ||=
          (at + 20 <= window.length &&
            matches(16, window.readUInt32LE(at + 8), window.readUInt32LE(at + 12))) ||
          (at + 28 <= window.length &&
            matches(24, readUInt64(window, at + 8), readUInt64(window, at + 16)));
      } else if (
        at + 16 <= window.length &&
        matches(16, window.readUInt32LE(at + 8), window.readUInt32LE(at + 12)) &&
        length < UINT32
      ) {
        descriptorSize = 16;
        totals.size = window.readUInt32LE(at + 12);
      } else if (
        at + 24 <= window.length &&
        matches(24, readUInt64(window, at + 8), readUInt64(window, at + 16))
      ) {
        descriptorSize = 24;
        totals.size = readUInt64(window, at + 16);
      }
      if (descriptorSize > 0) {
        totals.crc = crc;
        if (at > 0) yield window.subarray(0, at);
        source.unshift(window.subarray(at + descriptorSize));
        return;
      }
      searchFrom = at + 1;
    }
    if (searchFrom === -1) continue;
    if (atEnd) {
      throw new ZipFormatError(
        crcRefused
          ? `Entry ${header.name}: CRC-32 mismatch`
          : `Entry ${header.name} has no data descriptor with a signature`,
      );
    }
    // Keep a tail that could hold the start of a signature.
    const keep = Math.min(window.length, 3);
    const safe = window.length - keep;
    if (safe > 0) {
      yield window.subarray(0, safe);
      emitted += safe;
      if (header.method === 0) emittedCrc = crc32(window.subarray(0, safe), emittedCrc);
      window = window.subarray(safe);
    }
  }
}

/** Counts and CRCs the uncompressed bytes; fails at the end when they differ from the entry's. */
class EntryVerifier extends Transform {
  #crc = 0;
  #bytes = 0;
  constructor(
    private readonly entryName: string,
    private readonly totals: EntryTotals,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.#crc = crc32(chunk, this.#crc);
    this.#bytes += chunk.length;
    callback(null, chunk);
  }
  override _flush(callback: TransformCallback) {
    const { crc, size } = this.totals;
    if (size !== undefined && size % UINT32 !== this.#bytes % UINT32) {
      callback(
        new ZipFormatError(`Entry ${this.entryName}: ${this.#bytes} bytes, expected ${size}`),
      );
    } else if (crc !== undefined && crc !== this.#crc >>> 0) {
      callback(new ZipFormatError(`Entry ${this.entryName}: CRC-32 mismatch`));
    } else {
      callback();
    }
  }
}

/**
 * Reads the entries of a zip stream in order. Each entry is yielded once its local header is
 * read; the reader moves on (skipping whatever of the entry was not read) when asked for the next.
 */
export async function* readZipEntries(
  source: AsyncIterable<Buffer | Uint8Array | string>,
): AsyncGenerator<ZipStreamEntry, void, undefined> {
  const bytes = new ByteSource(source);
  try {
    for (;;) {
      if ((await bytes.ensure(4)) < 4) {
        throw new ZipFormatError('The archive ends before its central directory');
      }
      const signature = bytes.take(4).readUInt32LE(0);
      if (signature !== LOCAL_HEADER) {
        if (!NEXT_RECORDS.has(signature)) {
          throw new ZipFormatError(`Unexpected record 0x${signature.toString(16)}`);
        }
        // The central directory: every entry has been read.
        await bytes.drain();
        return;
      }
      const header = await readLocalHeader(bytes);
      const totals: EntryTotals = header.sizesFollow
        ? {}
        : { crc: header.crc, size: header.uncompressedSize };
      const compressed = header.sizesFollow
        ? descriptorDelimitedData(bytes, header, totals)
        : knownLengthData(bytes, header.compressedSize, header.name);
      let finished = false;
      let abandoned = false;
      const tracked = (async function* () {
        try {
          yield* compressed;
          finished = true;
        } finally {
          if (!finished) abandoned = true;
        }
      })();
      const raw = Readable.from(tracked, { objectMode: false });
      const verifier = new EntryVerifier(header.name, totals);
      const output = new PassThrough();
      const stages: NodeJS.ReadWriteStream[] =
        header.method === 8 ? [createInflateRaw(), verifier] : [verifier];
      pipeline([raw, ...stages, output], (error) => {
        if (error) output.destroy(error);
      });
      yield {
        name: header.name,
        method: header.method,
        declaredSize: header.sizesFollow ? undefined : header.uncompressedSize,
        stream: output,
      };
      if (!finished && !output.destroyed && !output.readableEnded) {
        // Left unread (or not to its end): skip the rest by reading it.
        await new Promise<void>((resolve) => {
          output.once('close', resolve);
          output.once('end', resolve);
          output.resume();
        });
      }
      if (!finished || abandoned) {
        throw new ZipFormatError(`Entry ${header.name} was not read to its end`);
      }
    }
  } finally {
    await bytes.close();
  }
}
