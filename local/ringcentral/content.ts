/**
 * Attachment bytes generated on the fly. Each generated attachment is a real file header (PDF,
 * TIFF, MP3, JPEG, WAV, ...) followed by filler: an AES-128-CTR keystream keyed by (seed,
 * attachment id), repeated with a fixed period. Any byte range is computable directly, so Range
 * requests and re-downloads give identical bytes and nothing is ever held in memory whole.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/** Chunk size of every generated stream. */
const CHUNK_BYTES = 64 * 1024;

/** Where an attachment's bytes come from. */
export interface ContentSource {
  /** Exact size in bytes. */
  size: number;
  contentType: string;
  /** Small content kept as is (message text). */
  fixed?: Buffer;
  /** AES key of the generated filler. */
  key?: Buffer;
  /** File header written over the first bytes of generated content. */
  header?: Buffer;
}

const HEADERS: Record<string, Buffer> = {
  'application/pdf': Buffer.from(
    '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n',
    'latin1',
  ),
  'image/tiff': Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]),
  'audio/mpeg': Buffer.concat([
    Buffer.from('ID3', 'latin1'),
    Buffer.from([0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
    Buffer.from([0xff, 0xfb, 0x90, 0x64]),
  ]),
  'audio/wav': Buffer.concat([
    Buffer.from('RIFF', 'latin1'),
    Buffer.from([0x24, 0x00, 0x00, 0x00]),
    Buffer.from('WAVEfmt ', 'latin1'),
  ]),
  'image/jpeg': Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]),
  'image/png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'video/mp4': Buffer.from([
    0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32,
  ]),
};

/** A generated attachment of exactly `size` bytes with the file header of `contentType`. */
export function generatedContent(
  seed: number,
  attachmentId: string,
  contentType: string,
  size: number,
): ContentSource {
  const key = createHash('sha256').update(`${seed}:${attachmentId}`).digest().subarray(0, 16);
  return { size, contentType, key, header: HEADERS[contentType] ?? Buffer.alloc(0) };
}

/** Content kept verbatim (an SMS text, an uploaded file). */
export function fixedContent(bytes: Buffer, contentType: string): ContentSource {
  return { size: bytes.length, contentType, fixed: bytes };
}

/**
 * Filler repeats with this period: one keystream block per attachment, cached, so streaming
 * hands out views of it instead of allocating (and collecting) a new buffer per chunk. The
 * period is not a power of two, so chunk borders drift across it.
 */
const PATTERN_BYTES = 1_048_583;
const PATTERN_CACHE_ENTRIES = 16;
const patterns = new Map<string, Buffer>();

/**
 * The first `bytes` (at most a period) of the keystream of `key`. A CTR keystream's prefix does
 * not depend on how much follows it, so content smaller than the period (most attachments) costs
 * its own size, not a whole period.
 */
function patternFor(key: Buffer, bytes: number): Buffer {
  const needed = Math.min(PATTERN_BYTES, bytes);
  const id = key.toString('hex');
  const cached = patterns.get(id);
  if (cached && cached.length >= needed) {
    // Refresh its place in the least-recently-used order.
    patterns.delete(id);
    patterns.set(id, cached);
    return cached;
  }
  const length = Math.max(needed, cached?.length ?? 0);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const pattern = Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
  patterns.delete(id);
  patterns.set(id, pattern);
  if (patterns.size > PATTERN_CACHE_ENTRIES) {
    const oldest = patterns.keys().next().value;
    if (oldest !== undefined) patterns.delete(oldest);
  }
  return pattern;
}

/** Streams bytes [start, end] (inclusive) of the content in chunks of at most 64 KiB. */
export function openContent(source: ContentSource, start = 0, end = source.size - 1): Readable {
  if (source.fixed) {
    return Readable.from([source.fixed.subarray(start, end + 1)], { objectMode: false });
  }
  const pattern = patternFor(source.key ?? Buffer.alloc(16), end + 1);
  const header = source.header ?? Buffer.alloc(0);
  let position = start;
  const stop = end + 1;
  return new Readable({
    highWaterMark: CHUNK_BYTES,
    read() {
      if (position >= stop) {
        this.push(null);
        return;
      }
      const offset = position % PATTERN_BYTES;
      const length = Math.min(CHUNK_BYTES, stop - position, PATTERN_BYTES - offset);
      let chunk = pattern.subarray(offset, offset + length);
      if (position < header.length) {
        chunk = Buffer.from(chunk);
        header.copy(chunk, 0, position, Math.min(header.length, position + length));
      }
      position += length;
      this.push(chunk);
    },
  });
}

/** The sha256 (hex) of the whole content, computed by streaming it. */
export async function contentSha256(source: ContentSource): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of openContent(source)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
