/**
 * Which extensions the next archive (or purge) run takes, and in what order: no extension waits
 * behind another. Pure: the registry's entries and a clock in, ordered ids out.
 *
 * Order: a mailbox a webhook marked changed first (earliest change first), then the most behind
 * (oldest `completeThrough`, or `firstSeen` for one never complete), then the one whose last run
 * is oldest (never run first), then the id. A run that cannot finish every extension leaves the
 * rest with their old `completeThrough`, so the next run takes them first; the ones it finished
 * moved to the back. Extensions whose `permissionError` is set come after all others: they cannot
 * progress until an operator grants the permission, and still get a run (so the fix shows up)
 * without taking a healthy extension's turn.
 */
import type { ExtensionEntry } from './ports.ts';

/** Options of {@link dueExtensions}. */
export interface DueOptions {
  /** Epoch ms of the decision. */
  now: number;
  /**
   * An extension complete within this many ms is not due yet (unless marked changed); 0 makes
   * every archived extension due. The deployed sweep interval.
   */
  minIntervalMs?: number;
  /**
   * An extension handed to a worker less than this long ago, whose run has not been recorded
   * since, is still in flight (queued or running) and not due; the worker's timeout.
   */
  inFlightMs?: number;
}

/** Whether a worker still holds the extension (see {@link DueOptions.inFlightMs}). */
export function isInFlight(entry: ExtensionEntry, now: number, inFlightMs: number): boolean {
  if (entry.dispatchedAt === undefined) return false;
  const dispatched = timeOrZero(entry.dispatchedAt);
  if (now - dispatched >= inFlightMs) return false;
  return entry.lastRunAt === undefined || timeOrZero(entry.lastRunAt) < dispatched;
}

/** Whether the registry entry is archived at all: the policy says so and it is not gone. */
export function isArchivedAndPresent(entry: ExtensionEntry): boolean {
  return entry.archived && entry.goneSince === undefined;
}

/**
 * Epoch ms through which the extension is known archived: the later of its last complete sync
 * and the account-wide export's watermark (firstSeen when neither yet).
 */
export function archivedThrough(entry: ExtensionEntry): number {
  const synced = Date.parse(entry.completeThrough ?? entry.firstSeen);
  const exported = timeOrZero(entry.exportedThrough);
  return Math.max(Number.isNaN(synced) ? 0 : synced, exported);
}

const timeOrZero = (value: string | undefined): number => {
  const time = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(time) ? 0 : time;
};

/**
 * Whether a webhook's change calls for a sync now. Where the account-wide export runs (the entry
 * has an `exportedThrough`), a change after the export's watermark waits for the next export to
 * store its content, so the sync that follows spends a Light request instead of a Medium
 * download per attachment; without the export, any change does.
 */
export function hasChangeToSync(entry: ExtensionEntry): boolean {
  if (entry.changedAt === undefined) return false;
  if (entry.exportedThrough === undefined) return true;
  return timeOrZero(entry.changedAt) <= timeOrZero(entry.exportedThrough);
}

/** Sorts most-behind first (see the module comment). */
export function compareMostBehind(a: ExtensionEntry, b: ExtensionEntry): number {
  const blocked = Number(a.permissionError !== undefined) - Number(b.permissionError !== undefined);
  if (blocked !== 0) return blocked;
  const changed = Number(hasChangeToSync(b)) - Number(hasChangeToSync(a));
  if (changed !== 0) return changed;
  if (hasChangeToSync(a) && hasChangeToSync(b)) {
    const byChange = timeOrZero(a.changedAt) - timeOrZero(b.changedAt);
    if (byChange !== 0) return byChange;
  }
  const byLag = archivedThrough(a) - archivedThrough(b);
  if (byLag !== 0) return byLag;
  const byRun = timeOrZero(a.lastRunAt) - timeOrZero(b.lastRunAt);
  if (byRun !== 0) return byRun;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The archived, present extensions that are due, most-behind first. */
export function dueExtensions(
  entries: Iterable<ExtensionEntry>,
  options: DueOptions,
): ExtensionEntry[] {
  const minIntervalMs = options.minIntervalMs ?? 0;
  const due: ExtensionEntry[] = [];
  for (const entry of entries) {
    if (!isArchivedAndPresent(entry)) continue;
    if (isInFlight(entry, options.now, options.inFlightMs ?? 0)) continue;
    const recent =
      entry.completeThrough !== undefined &&
      // The sweep goes by the last complete sync: the export's watermark carries no deletions.
      options.now - timeOrZero(entry.completeThrough) < minIntervalMs &&
      !hasChangeToSync(entry);
    if (!recent) due.push(entry);
  }
  return due.sort(compareMostBehind);
}

/** Options of {@link batchesOf}. */
export interface BatchOptions {
  /** Extensions per worker invocation. */
  batchSize: number;
  /** Worker invocations per dispatch (the worker's reserved concurrency). */
  maxBatches: number;
}

/**
 * The ids in worker batches, in order: batch 0 holds the most behind. Extensions beyond
 * `batchSize * maxBatches` wait for the next dispatch, where they are among the most behind.
 */
export function batchesOf(ordered: readonly ExtensionEntry[], options: BatchOptions): string[][] {
  const batchSize = Math.max(1, Math.floor(options.batchSize));
  const maxBatches = Math.max(0, Math.floor(options.maxBatches));
  const batches: string[][] = [];
  for (let start = 0; start < ordered.length && batches.length < maxBatches; start += batchSize) {
    batches.push(ordered.slice(start, start + batchSize).map((entry) => entry.id));
  }
  return batches;
}

/**
 * The order purge takes extensions in: archived and present ones, the one purge finished longest
 * ago first (never purged first), then by id. A run cut short by its deadline resumes with the
 * ones it did not reach.
 */
export function purgeOrder(entries: Iterable<ExtensionEntry>): ExtensionEntry[] {
  return [...entries]
    .filter(isArchivedAndPresent)
    .sort(
      (a, b) =>
        timeOrZero(a.lastPurgeAt) - timeOrZero(b.lastPurgeAt) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
}
