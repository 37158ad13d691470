import { createHash } from 'node:crypto';

/** What a stream of bytes delivered: its SHA-256 (hex) and its length. */
export interface Digest {
  sha256: string;
  size: number;
}

/**
 * Reads a byte source to its end without keeping it (a Node Readable, a fetch body) and returns
 * its digest.
 */
export async function digest(source: AsyncIterable<Uint8Array | string>): Promise<Digest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    hash.update(bytes);
    size += bytes.length;
  }
  return { sha256: hash.digest('hex'), size };
}
