/**
 * Adoption: objects archived before an account's chain of custody began are recorded into it, so
 * that from then on a missing or altered one is a break like any other. Each adopted object is
 * hashed when adopted, and the manifest that records it says `kind: "adoption"`: custody of those
 * objects begins at the adoption, and the chain never claims more than that.
 *
 * Only objects the store wrote before the account's first manifest began are adopted (judged by
 * the listing's last-modified time, which S3 sets and a writer cannot, at whole seconds, so an
 * object must predate the first manifest by a whole second). An object in no manifest written
 * after custody began is not adopted: it is a gap in custody (a run whose manifest failed, or a
 * write that bypassed the archive), reported for someone to explain, and `archive:verify` keeps
 * reporting it. When the account's first manifest is missing, when its custody began is not
 * known, and nothing of it is adopted. Adopting twice adopts nothing new.
 */
import type { CustodyEntry } from './custody.ts';
import { parseCustodyManifest } from './custody.ts';
import { appendCustodyManifest } from './custody-ledger.ts';
import type { ArchiveReader, CustodyHead, CustodyHeadStore } from './custody-ports.ts';
import { hashObject, predatesCustody, readObjectText } from './custody-reading.ts';
import { ARCHIVE_PREFIX, custodyPrefix } from './layout.ts';
import type { ListedObject, ObjectStore } from './ports.ts';

/** Entries per adoption manifest: an account's backlog of any size is adopted in bounded pieces. */
export const ADOPTION_MANIFEST_ENTRIES = 10_000;

/** Where an adoption is. */
export interface AdoptionProgress {
  listed: number;
  adopted: number;
  /** Objects in no manifest, written after custody began: not adopted. */
  refused: number;
}

/** Options of {@link adoptPreCustodyObjects}. */
export interface AdoptionOptions {
  reader: ArchiveReader;
  /** Where the adoption manifests go (the archive bucket). */
  objects: ObjectStore;
  heads: CustodyHeadStore;
  now: () => number;
  /** Only this account; default every account under `archive/`. */
  accountId?: string;
  runId: string;
  onAdopted?(entry: CustodyEntry): void;
  onRefused?(object: ListedObject, reason: string): void;
  onProgress?(progress: AdoptionProgress): void;
  signal?: AbortSignal;
}

/** What an adoption did. */
export interface AdoptionSummary extends AdoptionProgress {
  manifests: CustodyHead[];
}

/**
 * The keys the account's manifests record, how many manifests it has, and when its custody
 * began: the start of its first manifest (sequence 1), `undefined` when that one is not found.
 */
async function accountCustody(reader: ArchiveReader, accountId: string, signal?: AbortSignal) {
  const recorded = new Set<string>();
  let manifests = 0;
  let began: number | undefined;
  for await (const listed of reader.list(custodyPrefix(accountId), signal ? { signal } : {})) {
    manifests += 1;
    const text = await readObjectText(reader, listed.key, signal);
    if (text === undefined) continue;
    // An unreadable manifest is verify's to report; what it recorded cannot be known here.
    let manifest: ReturnType<typeof parseCustodyManifest>;
    try {
      manifest = parseCustodyManifest(text);
    } catch {
      continue;
    }
    for (const entry of manifest.objects) recorded.add(entry.key);
    if (manifest.sequence === 1) began = Date.parse(manifest.startedAt);
  }
  return { recorded, manifests, began };
}

async function hashEntry(
  reader: ArchiveReader,
  listed: ListedObject,
  signal?: AbortSignal,
): Promise<CustodyEntry | undefined> {
  const hashed = await hashObject(reader, listed.key, signal);
  if (!hashed) return undefined;
  return {
    key: listed.key,
    ...hashed,
    ...(listed.etag !== undefined ? { etag: listed.etag } : {}),
  };
}

/** Why an object in no manifest is not adopted. */
function refusal(listed: ListedObject, custodyBegan: number | undefined): string {
  if (custodyBegan === undefined)
    return "the account's first custody manifest is missing: when its custody began is not known";
  if (!listed.lastModified) return 'the store does not say when it was written';
  return `written ${listed.lastModified}, not before custody began ${new Date(custodyBegan).toISOString()}`;
}

/** Adopts one account's pre-custody objects; see the module comment. */
async function adoptAccount(
  options: AdoptionOptions,
  accountId: string,
  summary: AdoptionSummary,
): Promise<void> {
  const { reader, signal } = options;
  const startedAt = new Date(options.now()).toISOString();
  const { recorded, manifests, began } = await accountCustody(reader, accountId, signal);
  const chained = manifests > 0 || (await options.heads.get(accountId)) !== undefined;
  // Without a chain, custody begins with this adoption. With one whose first manifest is gone,
  // when it began is not known, so nothing can be shown to predate it.
  const custodyBegan = chained ? began : Date.parse(startedAt);
  let pending: CustodyEntry[] = [];
  const append = async () => {
    if (pending.length === 0) return;
    summary.manifests.push(
      await appendCustodyManifest(options.objects, options.heads, {
        accountId,
        runId: `${options.runId}-${summary.manifests.length + 1}`,
        kind: 'adoption',
        startedAt,
        completedAt: new Date(options.now()).toISOString(),
        objects: pending,
      }),
    );
    pending = [];
  };
  for await (const listed of reader.list(
    `${ARCHIVE_PREFIX}${accountId}/`,
    signal ? { signal } : {},
  )) {
    summary.listed += 1;
    if (recorded.has(listed.key)) continue;
    if (custodyBegan === undefined || !predatesCustody(listed, custodyBegan)) {
      summary.refused += 1;
      options.onRefused?.(listed, refusal(listed, custodyBegan));
      continue;
    }
    const entry = await hashEntry(reader, listed, signal);
    if (!entry) continue;
    pending.push(entry);
    summary.adopted += 1;
    options.onAdopted?.(entry);
    options.onProgress?.(summary);
    if (pending.length >= ADOPTION_MANIFEST_ENTRIES) await append();
  }
  await append();
}

/** Adopts the objects archived before custody began, account by account. */
export async function adoptPreCustodyObjects(options: AdoptionOptions): Promise<AdoptionSummary> {
  const summary: AdoptionSummary = { listed: 0, adopted: 0, refused: 0, manifests: [] };
  const accounts = options.accountId
    ? [`${ARCHIVE_PREFIX}${options.accountId}/`]
    : options.reader.children(ARCHIVE_PREFIX, options.signal ? { signal: options.signal } : {});
  for await (const account of accounts) {
    await adoptAccount(options, account.slice(ARCHIVE_PREFIX.length, -1), summary);
  }
  return summary;
}
