/**
 * The search over an archive read object by object (the local stack, or any bucket without
 * Athena): lists only the prefixes the criteria leave (listing-plan.ts), reads each message.json
 * under them and keeps those {@link matchesManifest} accepts. Results stream in key order; at most
 * `concurrency` message.json texts and one listing page are held at a time, so memory does not
 * grow with the archive.
 */
import type { ArchiveReader } from '../archive/custody-ports.ts';
import { ARCHIVE_PREFIX } from '../archive/layout.ts';
import { type ArchiveManifest, parseManifest } from '../archive/manifest.ts';
import { keyParts, matchesManifest, type SearchCriteria } from './criteria.ts';
import { extensionPrefixes } from './listing-plan.ts';

/** One message that matched. */
export interface SearchMatch {
  key: string;
  /** message.json as stored. */
  text: string;
  manifest: ArchiveManifest;
}

/** Where a search is. */
export interface SearchProgress {
  listed: number;
  read: number;
  matched: number;
  /** message.json objects that did not parse (reported, never matched). */
  unreadable: number;
}

/** Options of {@link searchArchive}. */
export interface SearchOptions {
  /** message.json reads in flight; default 16. */
  concurrency?: number;
  onProgress?(progress: SearchProgress): void;
  /** A message.json that does not parse; default: ignored (counted). */
  onUnreadable?(key: string, error: unknown): void;
  signal?: AbortSignal;
}

async function readText(reader: ArchiveReader, key: string, signal?: AbortSignal) {
  const stream = await reader.open(key, signal ? { signal } : {});
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The message.json keys under the prefixes the criteria leave, in key order. */
async function* candidateKeys(
  reader: ArchiveReader,
  criteria: SearchCriteria,
  progress: SearchProgress,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  const options = signal ? { signal } : {};
  const accounts = criteria.accountId
    ? [`${ARCHIVE_PREFIX}${criteria.accountId}/`]
    : reader.children(ARCHIVE_PREFIX, options);
  for await (const account of accounts) {
    for await (const extension of reader.children(account, options)) {
      const extensionId = extension.slice(account.length, -1);
      if (criteria.extensionIds && !criteria.extensionIds.includes(extensionId)) continue;
      for (const prefix of extensionPrefixes(extension, criteria)) {
        for await (const listed of reader.list(prefix, options)) {
          progress.listed += 1;
          if (keyParts(listed.key)) yield listed.key;
        }
      }
    }
  }
}

/** Searches the archive; see the module comment. */
export async function* searchArchive(
  reader: ArchiveReader,
  criteria: SearchCriteria,
  options: SearchOptions = {},
): AsyncGenerator<SearchMatch> {
  const concurrency = options.concurrency ?? 16;
  const progress: SearchProgress = { listed: 0, read: 0, matched: 0, unreadable: 0 };
  const read = async (key: string): Promise<SearchMatch | undefined> => {
    const text = await readText(reader, key, options.signal);
    progress.read += 1;
    if (text === undefined) return undefined;
    try {
      const manifest = parseManifest(text);
      return matchesManifest(key, manifest, criteria) ? { key, text, manifest } : undefined;
    } catch (error) {
      progress.unreadable += 1;
      options.onUnreadable?.(key, error);
      return undefined;
    }
  };
  // A window of reads in flight, yielded in key order.
  const window: Array<Promise<SearchMatch | undefined>> = [];
  const drainOne = async () => {
    const match = await window.shift();
    options.onProgress?.(progress);
    if (match) progress.matched += 1;
    return match;
  };
  for await (const key of candidateKeys(reader, criteria, progress, options.signal)) {
    const pending = read(key);
    // Awaited in order below; this only keeps an early failure from counting as unhandled.
    pending.catch(() => undefined);
    window.push(pending);
    if (window.length >= concurrency) {
      const match = await drainOne();
      if (match) yield match;
    }
  }
  while (window.length > 0) {
    const match = await drainOne();
    if (match) yield match;
  }
}
