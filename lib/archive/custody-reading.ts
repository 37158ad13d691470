/**
 * What verification and adoption of the chain of custody read the same way: an object's text,
 * an object's sha256 and size streamed, and whether an object predates an account's custody.
 */
import { createHash } from 'node:crypto';
import type { ArchiveReader } from './custody-ports.ts';
import type { ListedObject } from './ports.ts';

/** The store's last-modified times are whole seconds (S3's): a second of doubt is not "before". */
const LAST_MODIFIED_RESOLUTION_MS = 1000;

/** An object's text (UTF-8), or `undefined` when there is no such object. */
export async function readObjectText(
  reader: ArchiveReader,
  key: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const stream = await reader.open(key, signal ? { signal } : {});
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** sha256 and size of an object's bytes, streamed; `undefined` when it is gone. */
export async function hashObject(
  reader: ArchiveReader,
  key: string,
  signal?: AbortSignal,
): Promise<{ sha256: string; size: number } | undefined> {
  const stream = await reader.open(key, signal ? { signal } : {});
  if (!stream) return undefined;
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * True when the store wrote `listed` at least a whole second before `custodyBegan` (epoch ms;
 * `undefined` when the account's custody has not begun, so everything predates it). The
 * last-modified time is S3's, which no writer sets; a listing without one proves nothing.
 */
export function predatesCustody(listed: ListedObject, custodyBegan: number | undefined): boolean {
  const written = listed.lastModified ? Date.parse(listed.lastModified) : Number.NaN;
  if (Number.isNaN(written)) return false;
  return custodyBegan === undefined || written + LAST_MODIFIED_RESOLUTION_MS <= custodyBegan;
}
