import type { Readable } from 'node:stream';
import { ZipFile } from 'yazl';

/** One file inside an export archive: its path in the zip, exact byte size and a way to read it. */
export interface ZipEntrySource {
  path: string;
  size: number;
  open: () => Readable;
}

/**
 * The exact byte size of the zip `writeZip` produces for these entries. Entries are stored
 * uncompressed with known sizes, so yazl computes the total synchronously inside `end()` without
 * reading any data; the file streams are never opened (the pump callback is never answered).
 */
export function zipSize(entries: readonly ZipEntrySource[], mtime: Date): number {
  const zip = new ZipFile();
  for (const entry of entries) {
    zip.addReadStreamLazy(entry.path, { size: entry.size, compress: false, mtime }, () => {});
  }
  let total: number | undefined;
  zip.end(undefined, ((size: number) => {
    total = size;
  }) as () => void);
  if (total === undefined || total < 0) throw new Error('zip size is not predictable');
  return total;
}

/**
 * Streams a zip of the entries. Each entry's stream is opened only when the zip reaches it and is
 * piped with back-pressure, so no file is ever held whole in memory.
 */
export function writeZip(entries: readonly ZipEntrySource[], mtime: Date): Readable {
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  zip.on('error', (error: unknown) => output.destroy(error as Error));
  for (const entry of entries) {
    zip.addReadStreamLazy(entry.path, { size: entry.size, compress: false, mtime }, (callback) => {
      const input = entry.open();
      input.on('error', (error) => output.destroy(error));
      callback(null, input);
    });
  }
  zip.end();
  return output;
}
