/**
 * One archive run's view of the bucket that learns from a listing which objects are absent. A
 * run that archives many messages of one day would otherwise ask S3 about each of them before
 * writing it (GetObject of message.json, HeadObject of every attachment), and for new messages
 * every answer is "no such object". One listing of the day's prefix answers all of those.
 *
 * A listing is a snapshot: objects this run writes are added to it; objects another run writes
 * after it are taken as absent, so this run writes them again, byte for byte the same (keys are
 * deterministic, invariant 3). Keys the listing holds are asked about as before.
 */
import { type MessageLocation, messagePrefix } from './layout.ts';
import type { ObjectStore } from './ports.ts';

/** A day's records in one run from which listing the day pays off. */
export const LIST_MIN_RECORDS = 4;

/** The store with listings registered per prefix. */
export interface ListedObjectStore extends ObjectStore {
  /**
   * Registers a listing of `prefix`, made on the first read under it, of at most `maxPages`
   * pages; a longer listing is dropped and reads go to the store.
   */
  plan(prefix: string, maxPages: number): void;
}

/** The prefix of every message of one day: `archive/{account}/{extension}/{yyyy}/{mm}/{dd}/`. */
export function dayPrefix(location: MessageLocation): string {
  return messagePrefix(location).replace(/[^/]+\/$/, '');
}

interface Listing {
  maxPages: number;
  keys?: Promise<Set<string> | undefined>;
}

/** Wraps `objects` for one run; `signal` stops its listings. */
export function createListedObjectStore(
  objects: ObjectStore,
  options: { signal?: AbortSignal } = {},
): ListedObjectStore {
  const listings = new Map<string, Listing>();

  const keysOf = (prefix: string, listing: Listing): Promise<Set<string> | undefined> => {
    const list = objects.list;
    if (!list) return Promise.resolve(undefined);
    listing.keys ??= list
      .call(objects, prefix, {
        maxPages: listing.maxPages,
        ...(options.signal ? { signal: options.signal } : {}),
      })
      .then((listed) => (listed ? new Set(listed.map((item) => item.key)) : undefined))
      // A failed listing only costs the requests it was to save.
      .catch(() => undefined);
    return listing.keys;
  };

  const listingOf = (key: string): [string, Listing] | undefined => {
    for (const entry of listings) if (key.startsWith(entry[0])) return entry;
    return undefined;
  };

  const knownAbsent = async (key: string): Promise<boolean> => {
    const entry = listingOf(key);
    if (!entry) return false;
    const keys = await keysOf(entry[0], entry[1]);
    return keys !== undefined && !keys.has(key);
  };

  return {
    plan(prefix, maxPages) {
      if (!listings.has(prefix)) listings.set(prefix, { maxPages: Math.max(1, maxPages) });
    },
    async head(key) {
      return (await knownAbsent(key)) ? undefined : objects.head(key);
    },
    async getText(key) {
      return (await knownAbsent(key)) ? undefined : objects.getText(key);
    },
    async digest(key, digestOptions) {
      return (await knownAbsent(key)) ? undefined : objects.digest(key, digestOptions);
    },
    async put(key, body, putOptions) {
      const written = await objects.put(key, body, putOptions);
      const entry = listingOf(key);
      const keys = entry?.[1].keys ? await entry[1].keys : undefined;
      keys?.add(key);
      return written;
    },
    ...(objects.list ? { list: objects.list.bind(objects) } : {}),
  };
}
