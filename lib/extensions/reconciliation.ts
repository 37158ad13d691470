/**
 * The daily reconciliation: per archived, non-gone extension and per UTC day, the ids RingCentral
 * lists for that day against the ids the archive holds under the day's prefix
 * (`archive/{account}/{extension}/{yyyy}/{mm}/{dd}/{messageId}/message.json`, lib/archive/layout.ts),
 * grouped by message type. A message RingCentral lists that has no message.json is missing (an
 * error, alarmed). A message archived that RingCentral no longer lists was deleted or purged
 * there: counted, never an error.
 *
 * Budget: one Light request per extension-day (`perPage=1000`; one more per further 1,000
 * messages of that extension and day), plus one S3 listing per extension-day that RingCentral
 * has messages for or the archive might. For 5,000 extensions that is ~5,000 Light requests a
 * day, 7% of one user's 72,000 (DESIGN.md "Scale"). A run stops at its deadline and says where
 * (`resumeAfter`), so a caller continues in another invocation.
 */
import { ARCHIVE_PREFIX } from '../archive/layout.ts';
import type { ObjectStore } from '../archive/ports.ts';
import type { CallOptions, MessageRecord, MessagesApi } from '../ringcentral/index.ts';
import type { ExtensionEntry, ExtensionRegistry } from './ports.ts';
import { isWatched } from './subscription-filters.ts';

/** Missing ids listed per extension, day and type; the counts stay exact beyond it. */
export const MAX_MISSING_IDS = 100;
/** RingCentral's largest page of the message list (FACTS.md). */
const PER_PAGE = 1000;
/** S3 pages of 1,000 keys per extension-day: 100,000 objects (a message has 1-3). */
const MAX_LISTING_PAGES = 100;
/** Listed with deleted ones too: a message in RingCentral's trash may still be unarchived. */
const AVAILABILITY = ['Alive', 'Deleted'] as const;

/** One type's figures for one extension and day. */
export interface TypeReconciliation {
  /** Messages RingCentral lists. */
  ringCentral: number;
  /** Of those, the ones with a message.json in the archive. */
  archived: number;
  /** ringCentral - archived. */
  missing: number;
  /** The first {@link MAX_MISSING_IDS} missing ids, in RingCentral's order. */
  missingIds: string[];
}

/** One extension and day. */
export interface ExtensionDayReconciliation {
  extensionId: string;
  extensionNumber?: string;
  name?: string;
  date: string;
  byType: Record<string, TypeReconciliation>;
  /** Archived messages RingCentral no longer lists (deleted or purged there): not an error. */
  archivedOnly: number;
  /** Sum of the types' missing. */
  missing: number;
  /** Why the extension-day could not be reconciled (permission, listing too long, ...). */
  error?: string;
}

/** What one run reconciled. */
export interface ReconciliationRun {
  days: string[];
  extensions: ExtensionDayReconciliation[];
  /** Set when the deadline stopped the run: the day and the last extension done. */
  resumeAfter?: { date: string; extensionId: string };
  requests: { ringCentral: number; s3Listings: number };
}

/** What the run reads. */
export interface ReconciliationDependencies {
  messages: Pick<MessagesApi, 'list'>;
  objects: Pick<ObjectStore, 'list'>;
  registry: Pick<ExtensionRegistry, 'list'>;
}

/** Options of {@link reconcile}. */
export interface ReconcileOptions extends CallOptions {
  /** UTC days `yyyy-mm-dd`, in order. */
  days: readonly string[];
  /** Skip extensions up to and including this id on the first day (a continued run). */
  resumeAfter?: string;
  /** Time kept free before the deadline for writing the report; default 10 s. */
  reserveMs?: number;
  now?: () => number;
}

/** The UTC days from `from` to `to`, inclusive, as `yyyy-mm-dd`. */
export function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00.000Z`);
  const end = Date.parse(`${to}T00:00:00.000Z`);
  if (Number.isNaN(start) || Number.isNaN(end) || end < start) {
    throw new RangeError(`Not a date range: ${from} to ${to}`);
  }
  const days: string[] = [];
  for (let time = start; time <= end; time += 86_400_000) {
    days.push(new Date(time).toISOString().slice(0, 10));
  }
  return days;
}

/** The UTC day before `now`. */
export function yesterday(now: number): string {
  return new Date(now - 86_400_000).toISOString().slice(0, 10);
}

function accountOf(record: MessageRecord): string | undefined {
  const match = /\/account\/(\d+)/.exec(record.uri ?? '');
  return match?.[1];
}

/** RingCentral's ids of one extension and day, by type; one Light request per 1,000. */
async function ringCentralIds(
  messages: ReconciliationDependencies['messages'],
  extensionId: string,
  date: string,
  options: CallOptions,
  counters: ReconciliationRun['requests'],
): Promise<{ byType: Map<string, string[]>; accountId?: string }> {
  const byType = new Map<string, string[]>();
  let accountId: string | undefined;
  const dateFrom = `${date}T00:00:00.000Z`;
  const pages = messages.list(
    {
      extensionId,
      dateFrom,
      dateTo: new Date(Date.parse(dateFrom) + 86_400_000).toISOString(),
      availability: [...AVAILABILITY],
      perPage: PER_PAGE,
    },
    options,
  );
  for await (const page of pages) {
    counters.ringCentral += 1;
    for (const record of page.records) {
      // dateTo is inclusive at RingCentral: the archive's day is the creationTime's UTC date.
      if (!record.creationTime?.startsWith(date)) continue;
      accountId ??= accountOf(record);
      const type = record.type ?? 'Unknown';
      const ids = byType.get(type) ?? [];
      ids.push(record.id);
      byType.set(type, ids);
    }
  }
  return { byType, ...(accountId ? { accountId } : {}) };
}

/** The message ids with a message.json under the day's prefix; undefined when too many. */
async function archivedIds(
  objects: ReconciliationDependencies['objects'],
  prefix: string,
  options: CallOptions,
): Promise<Set<string> | undefined> {
  if (!objects.list) throw new Error('The object store cannot list');
  const listed = await objects.list(prefix, {
    maxPages: MAX_LISTING_PAGES,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!listed) return undefined;
  const ids = new Set<string>();
  for (const { key } of listed) {
    const match = /^([^/]+)\/message\.json$/.exec(key.slice(prefix.length));
    if (match?.[1]) ids.add(match[1]);
  }
  return ids;
}

/** Compares RingCentral's ids with the archive's. */
export function compareIds(
  ringCentral: Map<string, string[]>,
  archived: ReadonlySet<string>,
): Pick<ExtensionDayReconciliation, 'byType' | 'archivedOnly' | 'missing'> {
  const byType: Record<string, TypeReconciliation> = {};
  const listed = new Set<string>();
  let missing = 0;
  for (const [type, ids] of [...ringCentral].sort(([a], [b]) => a.localeCompare(b))) {
    const absent = ids.filter((id) => !archived.has(id));
    for (const id of ids) listed.add(id);
    byType[type] = {
      ringCentral: ids.length,
      archived: ids.length - absent.length,
      missing: absent.length,
      missingIds: absent.slice(0, MAX_MISSING_IDS),
    };
    missing += absent.length;
  }
  const archivedOnly = [...archived].filter((id) => !listed.has(id)).length;
  return { byType, archivedOnly, missing };
}

/** The archived, non-gone extensions in the registry's (id) order. */
async function watchedExtensions(
  registry: ReconciliationDependencies['registry'],
): Promise<ExtensionEntry[]> {
  const entries: ExtensionEntry[] = [];
  for await (const entry of registry.list()) if (isWatched(entry)) entries.push(entry);
  return entries;
}

/**
 * Reconciles the given days for every archived, non-gone extension of the registry. The
 * account id of the archive's keys is learned from RingCentral's records (their `uri`); an
 * extension-day RingCentral lists nothing for is compared once the account is known, and
 * otherwise reported with nothing on either side.
 */
export async function reconcile(
  dependencies: ReconciliationDependencies,
  options: ReconcileOptions,
): Promise<ReconciliationRun> {
  const now = options.now ?? Date.now;
  const reserveMs = options.reserveMs ?? 10_000;
  const call: CallOptions = {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.deadline === undefined ? {} : { deadline: options.deadline - reserveMs }),
  };
  const run: ReconciliationRun = {
    days: [...options.days],
    extensions: [],
    requests: { ringCentral: 0, s3Listings: 0 },
  };
  const extensions = await watchedExtensions(dependencies.registry);
  const outOfTime = () => call.deadline !== undefined && now() >= call.deadline;
  let accountId: string | undefined;
  let last: { date: string; extensionId: string } | undefined;
  for (const [dayIndex, date] of options.days.entries()) {
    for (const entry of extensions) {
      if (dayIndex === 0 && options.resumeAfter && entry.id <= options.resumeAfter) continue;
      if (outOfTime()) break;
      const done = await reconcileOne(dependencies, entry, date, call, run, accountId);
      // A failure the deadline caused is not the extension's: the next invocation redoes it.
      if (done.result.error && (outOfTime() || call.signal?.aborted)) break;
      run.extensions.push(done.result);
      accountId ??= done.accountId;
      last = { date, extensionId: entry.id };
    }
    if (outOfTime() || call.signal?.aborted) {
      run.resumeAfter = last ?? {
        date: options.days[0] ?? date,
        extensionId: options.resumeAfter ?? '',
      };
      return run;
    }
  }
  return run;
}

async function reconcileOne(
  dependencies: ReconciliationDependencies,
  entry: ExtensionEntry,
  date: string,
  call: CallOptions,
  run: ReconciliationRun,
  knownAccount: string | undefined,
): Promise<{ result: ExtensionDayReconciliation; accountId?: string }> {
  const identity = {
    extensionId: entry.id,
    ...(entry.extensionNumber ? { extensionNumber: entry.extensionNumber } : {}),
    ...(entry.name ? { name: entry.name } : {}),
    date,
  };
  try {
    const listed = await ringCentralIds(dependencies.messages, entry.id, date, call, run.requests);
    const accountId = knownAccount ?? listed.accountId;
    let archived: Set<string> | undefined = new Set();
    if (accountId) {
      run.requests.s3Listings += 1;
      const prefix = `${ARCHIVE_PREFIX}${accountId}/${entry.id}/${date.replaceAll('-', '/')}/`;
      archived = await archivedIds(dependencies.objects, prefix, call);
    }
    const found = accountId ? { accountId } : {};
    if (!archived) {
      return { result: failed(identity, 'the archive listing of the day is too long'), ...found };
    }
    return { result: { ...identity, ...compareIds(listed.byType, archived) }, ...found };
  } catch (error) {
    const { name, message } = error as Error;
    return { result: failed(identity, `${name}: ${message}`) };
  }
}

function failed(
  identity: Pick<ExtensionDayReconciliation, 'extensionId' | 'extensionNumber' | 'name' | 'date'>,
  error: string,
): ExtensionDayReconciliation {
  return { ...identity, byType: {}, archivedOnly: 0, missing: 0, error };
}
