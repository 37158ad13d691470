/**
 * A production: the matching messages' message.json files and attachments copied into a
 * directory under their archive keys, each attachment verified on the way (its size and sha256
 * must be those message.json records), and `SHA256SUMS` listing every file written with its
 * sha256 (`sha256sum -c SHA256SUMS` re-checks the directory). Files stream to disk; nothing is
 * held beyond the message.json in hand.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArchiveReader } from '../archive/custody-ports.ts';
import type { SearchMatch } from './local-search.ts';

/** The name of the hash list in a production directory. */
export const PRODUCTION_SUMS = 'SHA256SUMS';

/** One object that could not be produced as recorded. */
export interface ProductionProblem {
  key: string;
  detail: string;
}

/** What a production wrote. */
export interface ProductionSummary {
  messages: number;
  attachments: number;
  bytes: number;
  problems: ProductionProblem[];
}

async function writeLine(stream: WriteStream, line: string): Promise<void> {
  if (!stream.write(line))
    await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
}

/** Streams one object into `path`; its sha256 and size. */
async function copyObject(reader: ArchiveReader, key: string, path: string) {
  const body = await reader.open(key);
  if (!body) return undefined;
  const hash = createHash('sha256');
  let size = 0;
  await mkdir(dirname(path), { recursive: true });
  await pipeline(
    body,
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    }),
    createWriteStream(path),
  );
  return { sha256: hash.digest('hex'), size };
}

/** Writes a production of `matches` into `directory`; see the module comment. */
export async function writeProduction(
  reader: ArchiveReader,
  matches: AsyncIterable<SearchMatch>,
  directory: string,
): Promise<ProductionSummary> {
  await mkdir(directory, { recursive: true });
  const sums = createWriteStream(join(directory, PRODUCTION_SUMS));
  const summary: ProductionSummary = { messages: 0, attachments: 0, bytes: 0, problems: [] };
  try {
    for await (const match of matches) {
      for (const entry of match.manifest.attachments) {
        const copied = await copyObject(reader, entry.key, join(directory, entry.key));
        if (!copied) {
          summary.problems.push({ key: entry.key, detail: 'not in the archive' });
        } else if (copied.sha256 !== entry.sha256 || copied.size !== entry.size) {
          summary.problems.push({
            key: entry.key,
            detail: `sha256 ${copied.sha256.slice(0, 12)} (${copied.size} bytes), message.json records ${entry.sha256.slice(0, 12)} (${entry.size} bytes)`,
          });
        } else {
          summary.attachments += 1;
          summary.bytes += copied.size;
          await writeLine(sums, `${copied.sha256}  ${entry.key}\n`);
        }
      }
      const path = join(directory, match.key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, match.text);
      summary.messages += 1;
      summary.bytes += Buffer.byteLength(match.text);
      const sha256 = createHash('sha256').update(match.text).digest('hex');
      await writeLine(sums, `${sha256}  ${match.key}\n`);
    }
  } finally {
    await new Promise<void>((resolve, reject) =>
      sums.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
  return summary;
}
