/**
 * Records what a run stores and appends it to the chain of custody (custody.ts) when the run
 * ends. The run writes through {@link CustodyRun.objects}, which notes every object a put stored
 * (as the store reported it: version, etag, retention), so no write path can store an object
 * the manifest misses.
 *
 * It also notes every message.json the run reads and leaves as it is (the record is unchanged),
 * with the attachments that message.json records: a run whose manifest could not be stored keeps
 * its cursor, the next run finds those objects already stored and skips them, and without this
 * nothing would ever record them. Such an entry is hashed from the bytes read (message.json) or
 * taken from message.json (its attachments), never from what a run wanted to write.
 *
 * Appending claims the head first (a conditional write, custody-ports.ts) and writes the
 * manifest object after: a run that loses the race rebuilds its manifest after the new head and
 * tries again, and no manifest is ever stored that the chain does not name. A process killed
 * between the claim and the put leaves a head naming a missing manifest, which verify reports.
 */
import { randomUUID } from 'node:crypto';
import {
  CUSTODY_SCHEMA_VERSION,
  type CustodyEntry,
  type CustodyManifest,
  serializeCustodyManifest,
  sha256OfText,
} from './custody.ts';
import type { CustodyHead, CustodyHeadStore } from './custody-ports.ts';
import { accountOfKey, custodyManifestKey } from './layout.ts';
import { parseManifest } from './manifest.ts';
import type { ObjectStore } from './ports.ts';

/** Attempts at appending after the head before giving up (each loss means another run appended). */
const APPEND_ATTEMPTS = 20;

/** Thrown when the head kept moving under every attempt to append. */
export class CustodyAppendError extends Error {
  override readonly name = 'CustodyAppendError';
  constructor(accountId: string, options?: { cause?: unknown }) {
    super(`Could not append to the custody chain of account ${accountId}`, options);
  }
}

/** What a run's custody needs; the archive function and the backfill pass one. */
export interface CustodyOptions {
  heads: CustodyHeadStore;
}

/** Options of {@link startCustodyRun}. */
export interface CustodyRunOptions extends CustodyOptions {
  kind: CustodyManifest['kind'];
  now: () => number;
  /** Default: a random UUID. */
  runId?: string;
}

/** One run's custody: the store to write through, and the append at its end. */
export interface CustodyRun {
  /** The store the run writes through; every object a put stores is recorded. */
  objects: ObjectStore;
  /**
   * Appends one manifest per account the run stored or found objects for (none when neither)
   * and returns them as the chain now names them.
   */
  close(): Promise<CustodyHead[]>;
}

/** Appends one account's manifest after its current head; see the module comment. */
export async function appendCustodyManifest(
  objects: ObjectStore,
  heads: CustodyHeadStore,
  content: Omit<CustodyManifest, 'schemaVersion' | 'sequence' | 'previous'>,
): Promise<CustodyHead> {
  const { accountId } = content;
  const key = custodyManifestKey(accountId, content.completedAt, content.runId);
  for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt += 1) {
    const head = await heads.get(accountId);
    const manifest: CustodyManifest = {
      schemaVersion: CUSTODY_SCHEMA_VERSION,
      ...content,
      sequence: (head?.sequence ?? 0) + 1,
      previous: head ? { key: head.key, sha256: head.sha256 } : null,
    };
    const text = serializeCustodyManifest(manifest);
    const next: CustodyHead = {
      accountId,
      sequence: manifest.sequence,
      key,
      sha256: sha256OfText(text),
    };
    if (!(await heads.advance(next))) continue;
    await objects.put(key, text, { contentType: 'application/json' });
    return next;
  }
  throw new CustodyAppendError(accountId);
}

/** The entries of a stored message.json read back (it, and the attachments it records). */
function entriesOfMessageJson(key: string, text: string): CustodyEntry[] {
  let attachments: CustodyEntry[];
  try {
    attachments = parseManifest(text).attachments.map((attachment) => ({
      key: attachment.key,
      size: attachment.size,
      sha256: attachment.sha256,
      ...(attachment.etag !== undefined ? { etag: attachment.etag } : {}),
    }));
  } catch {
    // A damaged message.json is rewritten (and so recorded) by the run, never vouched for.
    return [];
  }
  return [
    { key, size: Buffer.byteLength(text, 'utf8'), sha256: sha256OfText(text) },
    ...attachments,
  ];
}

/** Starts recording a run's stores; see the module comment. */
export function startCustodyRun(objects: ObjectStore, options: CustodyRunOptions): CustodyRun {
  const runId = options.runId ?? randomUUID();
  const startedAt = new Date(options.now()).toISOString();
  const stored = new Map<string, CustodyEntry[]>();
  /** message.json key -> the entries it vouches for, per account, while the run does not rewrite it. */
  const found = new Map<string, Map<string, CustodyEntry[]>>();
  /** The found entries of an account that the run's own puts did not replace. */
  const foundUnchanged = (accountId: string, entries: readonly CustodyEntry[]) => {
    const put = new Set(entries.map((entry) => entry.key));
    return [...(found.get(accountId)?.entries() ?? [])]
      .filter(([messageJson]) => !put.has(messageJson))
      .flatMap(([, group]) => group.filter((entry) => !put.has(entry.key)));
  };
  const recording: ObjectStore = {
    head: (key) => objects.head(key),
    digest: (key, digestOptions) => objects.digest(key, digestOptions),
    async getText(key) {
      const text = await objects.getText(key);
      const accountId = accountOfKey(key);
      if (text !== undefined && accountId !== undefined && key.endsWith('/message.json')) {
        const group = entriesOfMessageJson(key, text);
        const byKey = found.get(accountId) ?? new Map<string, CustodyEntry[]>();
        if (group.length > 0) byKey.set(key, group);
        found.set(accountId, byKey);
      }
      return text;
    },
    ...(objects.list ? { list: objects.list.bind(objects) } : {}),
    async put(key, body, putOptions) {
      const result = await objects.put(key, body, putOptions);
      const accountId = accountOfKey(key);
      if (accountId !== undefined) {
        const entries = stored.get(accountId) ?? [];
        entries.push({
          key,
          size: result.size,
          sha256: result.sha256,
          ...(result.etag !== undefined ? { etag: result.etag } : {}),
          ...(result.versionId !== undefined ? { versionId: result.versionId } : {}),
          ...(result.retention !== undefined ? { retention: result.retention } : {}),
        });
        stored.set(accountId, entries);
      }
      return result;
    },
  };
  return {
    objects: recording,
    async close() {
      const completedAt = new Date(options.now()).toISOString();
      const appended: CustodyHead[] = [];
      for (const accountId of new Set([...stored.keys(), ...found.keys()])) {
        const entries = stored.get(accountId) ?? [];
        const all = [...foundUnchanged(accountId, entries), ...entries];
        if (all.length > 0) {
          appended.push(
            await appendCustodyManifest(objects, options.heads, {
              accountId,
              runId,
              kind: options.kind,
              startedAt,
              completedAt,
              objects: all,
            }),
          );
        }
        stored.delete(accountId);
        found.delete(accountId);
      }
      return appended;
    },
  };
}
