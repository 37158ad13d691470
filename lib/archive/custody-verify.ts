/**
 * Verifies the archive against its chain of custody (custody.ts): every account's manifests must
 * link, by sequence and by the sha256 of the previous manifest, from the first to the head
 * pointer, without a gap in time beyond a threshold; every object the chain records must be in
 * the bucket as recorded (size, entity tag, and its re-computed sha256, for every object or a
 * deterministic sample); and no object may be under `archive/` that no manifest records.
 *
 * An object written more than once (a message.json marked deleted later) is checked against its
 * newest record. Breaks are reported as they are found; the listing is read a page at a time, and
 * only the recorded entries (one per archived object) are held.
 */
import { createHash } from 'node:crypto';
import {
  type CustodyEntry,
  type CustodyManifest,
  parseCustodyManifest,
  sha256OfText,
} from './custody.ts';
import type { ArchiveReader, CustodyHeadStore } from './custody-ports.ts';
import { hashObject, predatesCustody, readObjectText } from './custody-reading.ts';
import { ARCHIVE_PREFIX, accountOfKey, CUSTODY_PREFIX } from './layout.ts';

/** What kind of break. */
export type CustodyBreakKind =
  | 'missing-object'
  | 'altered-object'
  | 'extra-object'
  | 'missing-manifest'
  | 'unreadable-manifest'
  | 'broken-link'
  | 'time-gap';

/** One break of the chain or of the archive it records. */
export interface CustodyBreak {
  kind: CustodyBreakKind;
  /** The object or manifest concerned. */
  key: string;
  detail: string;
}

/** Where a verification is. */
export interface VerifyProgress {
  phase: 'manifests' | 'objects';
  manifests: number;
  objects: number;
  hashed: number;
  hashedBytes: number;
  breaks: number;
}

/** Options of {@link verifyCustody}. */
export interface VerifyCustodyOptions {
  reader: ArchiveReader;
  /** The head pointers; without them the newest manifest found is taken as the head. */
  heads?: CustodyHeadStore;
  /** Share of the recorded objects re-hashed, 0..1 (a deterministic sample by key); default 1. */
  sampleRate?: number;
  /** Longest allowed time between consecutive manifests of an account. */
  maxGapMs: number;
  onBreak(found: CustodyBreak): void;
  onProgress?(progress: VerifyProgress): void;
  signal?: AbortSignal;
}

/** What a verification found. */
export interface VerifySummary extends VerifyProgress {
  accounts: string[];
  passed: boolean;
}

interface LoadedManifest {
  key: string;
  sha256: string;
  manifest: CustodyManifest;
}

interface Recorded {
  entry: CustodyEntry;
  manifestKey: string;
  seen: boolean;
}

/** True for the keys of the re-hashed sample; the same keys every time for the same rate. */
export function inSample(key: string, rate: number): boolean {
  if (rate >= 1) return true;
  const bucket = createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;
  return bucket < rate;
}

/** Checks one account's chain, in sequence order, against its head. */
function checkChain(
  accountId: string,
  loaded: LoadedManifest[],
  head: { sequence: number; key: string; sha256: string } | undefined,
  maxGapMs: number,
  report: (found: CustodyBreak) => void,
): void {
  loaded.sort((a, b) => a.manifest.sequence - b.manifest.sequence || a.key.localeCompare(b.key));
  let before: LoadedManifest | undefined;
  for (const current of loaded) {
    const { manifest, key } = current;
    const expected = (before?.manifest.sequence ?? 0) + 1;
    if (manifest.sequence > expected) {
      const named = manifest.previous?.key ?? '(none)';
      report({
        kind: 'missing-manifest',
        key: named,
        detail: `sequence ${expected}${manifest.sequence - 1 > expected ? `..${manifest.sequence - 1}` : ''} of account ${accountId} is missing (${key} links to ${named})`,
      });
    } else if (manifest.sequence < expected) {
      report({
        kind: 'broken-link',
        key,
        detail: `sequence ${manifest.sequence} appears twice (a fork)`,
      });
    } else if (
      before &&
      (manifest.previous?.sha256 !== before.sha256 || manifest.previous.key !== before.key)
    ) {
      report({
        kind: 'broken-link',
        key,
        detail: `links to ${manifest.previous?.key ?? 'nothing'} (${manifest.previous?.sha256.slice(0, 12) ?? '-'}), but the manifest before it is ${before.key} (${before.sha256.slice(0, 12)})`,
      });
    } else if (!before && manifest.previous !== null) {
      report({ kind: 'broken-link', key, detail: 'the first manifest links to a previous one' });
    }
    if (before) {
      const gap = Date.parse(manifest.completedAt) - Date.parse(before.manifest.completedAt);
      if (gap > maxGapMs) {
        report({
          kind: 'time-gap',
          key,
          detail: `${Math.round(gap / 60_000)} min after ${before.key}`,
        });
      }
    }
    before = current;
  }
  if (!head) return;
  if (!before || head.sequence > before.manifest.sequence) {
    report({
      kind: 'missing-manifest',
      key: head.key,
      detail: `the head names sequence ${head.sequence} of account ${accountId}, the newest found is ${before?.manifest.sequence ?? 'none'}`,
    });
  } else if (head.sequence !== before.manifest.sequence || head.sha256 !== before.sha256) {
    report({
      kind: 'broken-link',
      key: before.key,
      detail: `the head names ${head.key} (${head.sha256.slice(0, 12)}) at sequence ${head.sequence}, the chain ends here`,
    });
  }
}

/** Verifies the archive against its chain of custody; see the module comment. */
export async function verifyCustody(options: VerifyCustodyOptions): Promise<VerifySummary> {
  const { reader, signal } = options;
  const sampleRate = options.sampleRate ?? 1;
  const progress: VerifyProgress = {
    phase: 'manifests',
    manifests: 0,
    objects: 0,
    hashed: 0,
    hashedBytes: 0,
    breaks: 0,
  };
  const report = (found: CustodyBreak) => {
    progress.breaks += 1;
    options.onBreak(found);
  };
  const byAccount = new Map<string, LoadedManifest[]>();
  for await (const listed of reader.list(CUSTODY_PREFIX, signal ? { signal } : {})) {
    const text = await readObjectText(reader, listed.key, signal);
    progress.manifests += 1;
    const accountId = accountOfKey(listed.key) ?? '(unknown)';
    try {
      if (text === undefined) throw new Error('gone while listed');
      const manifest = parseCustodyManifest(text);
      const list = byAccount.get(accountId) ?? [];
      list.push({ key: listed.key, sha256: sha256OfText(text), manifest });
      byAccount.set(accountId, list);
    } catch (error) {
      report({
        kind: 'unreadable-manifest',
        key: listed.key,
        detail: String((error as Error).message),
      });
    }
    options.onProgress?.(progress);
  }
  const recorded = new Map<string, Recorded>();
  /** When each account's custody began: its first manifest's start (never, without that one). */
  const custodyBegan = new Map<string, number>();
  for (const [accountId, loaded] of byAccount) {
    const first = loaded.find((item) => item.manifest.sequence === 1);
    custodyBegan.set(
      accountId,
      first ? Date.parse(first.manifest.startedAt) : Number.NEGATIVE_INFINITY,
    );
    checkChain(accountId, loaded, await options.heads?.get(accountId), options.maxGapMs, report);
    for (const { key, manifest } of loaded) {
      for (const entry of manifest.objects)
        recorded.set(entry.key, { entry, manifestKey: key, seen: false });
    }
  }
  progress.phase = 'objects';
  const headless = new Set<string>();
  for await (const listed of reader.list(ARCHIVE_PREFIX, signal ? { signal } : {})) {
    progress.objects += 1;
    const record = recorded.get(listed.key);
    if (!record) {
      const accountId = accountOfKey(listed.key) ?? '';
      if (!byAccount.has(accountId) && !headless.has(accountId)) {
        // An account with objects and no manifest at all: a head means its chain was removed.
        headless.add(accountId);
        const head = await options.heads?.get(accountId);
        if (head) checkChain(accountId, [], head, options.maxGapMs, report);
      }
      const began = custodyBegan.get(accountId);
      report({
        kind: 'extra-object',
        key: listed.key,
        detail: predatesCustody(listed, began)
          ? `in no custody manifest, written before the account's custody began${began === undefined ? '' : ` (${new Date(began).toISOString()})`}: npm run archive:adopt records it`
          : 'in the bucket, in no custody manifest',
      });
    } else {
      record.seen = true;
      await checkObject(reader, listed, record, sampleRate, progress, report, signal);
    }
    options.onProgress?.(progress);
  }
  for (const [key, record] of recorded) {
    if (!record.seen)
      report({
        kind: 'missing-object',
        key,
        detail: `recorded in ${record.manifestKey}, not in the bucket`,
      });
  }
  return { ...progress, accounts: [...byAccount.keys()], passed: progress.breaks === 0 };
}

/** Compares one listed object with its record, re-hashing it when it is in the sample. */
async function checkObject(
  reader: ArchiveReader,
  listed: { key: string; size: number; etag?: string },
  { entry, manifestKey }: Recorded,
  sampleRate: number,
  progress: VerifyProgress,
  report: (found: CustodyBreak) => void,
  signal?: AbortSignal,
): Promise<void> {
  const altered = (detail: string) =>
    report({
      kind: 'altered-object',
      key: listed.key,
      detail: `${detail} (recorded in ${manifestKey})`,
    });
  if (listed.size !== entry.size) return altered(`size ${listed.size}, recorded ${entry.size}`);
  if (entry.etag !== undefined && listed.etag !== undefined && listed.etag !== entry.etag) {
    return altered(`entity tag ${listed.etag}, recorded ${entry.etag}`);
  }
  if (!inSample(listed.key, sampleRate)) return;
  const hashed = await hashObject(reader, listed.key, signal);
  progress.hashed += 1;
  progress.hashedBytes += hashed?.size ?? 0;
  if (!hashed)
    return report({
      kind: 'missing-object',
      key: listed.key,
      detail: `gone while verifying (recorded in ${manifestKey})`,
    });
  if (hashed.sha256 !== entry.sha256)
    altered(`sha256 ${hashed.sha256.slice(0, 12)}, recorded ${entry.sha256.slice(0, 12)}`);
}
