import { Readable } from 'node:stream';

/** A deterministic attachment stream that reports how many bytes it has produced so far. */
export interface CountingAttachment {
  stream: Readable;
  produced: () => number;
}

const CHUNK = 64 * 1024;

/** `size` bytes derived from (attachmentId, offset), produced lazily in 64 KiB chunks. */
export function generatedAttachment(attachmentId: string, size: number): CountingAttachment {
  const seed = Number(BigInt(attachmentId) % 251n);
  let offset = 0;
  const stream = new Readable({
    read() {
      if (offset >= size) {
        this.push(null);
        return;
      }
      const length = Math.min(CHUNK, size - offset);
      const chunk = Buffer.allocUnsafe(length);
      for (let i = 0; i < length; i++)
        chunk[i] = (seed + (offset + i) * 7 + ((offset + i) >> 9)) & 0xff;
      offset += length;
      this.push(chunk);
    },
  });
  return { stream, produced: () => offset };
}
