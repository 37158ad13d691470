/**
 * Discovery: the account's extensions from RingCentral's list into the registry. Every page is
 * read (listExtensions), the policy decides each extension, entries missing from the list are
 * marked gone (no alarm: they keep their archive and are no longer polled) and cleared when they
 * come back. A token that may not list or read other extensions is a configuration error, never
 * an empty account.
 */
import type { CallOptions } from '../ringcentral/deadline.ts';
import { InsufficientPermissionsError } from '../ringcentral/errors.ts';
import type { ExtensionsApi } from '../ringcentral/extensions.ts';
import type { ExtensionRecord } from '../ringcentral/types.ts';
import { ExtensionsConfigurationError } from './errors.ts';
import { decide } from './policy.ts';
import type { ArchivePolicyStore, ExtensionEntry, ExtensionRegistry } from './ports.ts';

/** Default settings of discovery. */
export const DISCOVERY_DEFAULTS = {
  /** RingCentral's largest page: 5,000 extensions are 5 Medium requests. */
  perPage: 1000,
  /** Registry writes in flight at once. */
  writeConcurrency: 16,
};

/** What discovery works with. */
export interface DiscoveryDependencies {
  extensions: Pick<ExtensionsApi, 'list' | 'get'>;
  registry: ExtensionRegistry;
  policies: Pick<ArchivePolicyStore, 'read'>;
  /** Clock for firstSeen, lastSeen and goneSince; default Date.now. */
  now?: () => number;
}

/** What one discovery found. */
export interface DiscoveryCounts {
  /** Extensions RingCentral listed. */
  listed: number;
  /** Listed ones the policy archives. */
  archived: number;
  /** Listed ones the policy leaves out, by reason. */
  skipped: Record<string, number>;
  /** Listed for the first time. */
  new: number;
  /** Missing from the list for the first time (marked gone now). */
  gone: number;
  /** Listed again after being gone. */
  returned: number;
}

/** The counts, and the configuration error found after the list was written, if any. */
export interface DiscoveryResult {
  counts: DiscoveryCounts;
  /**
   * The token listed the extensions but may not read another one (probed with one Light read):
   * the registry is still written, the archive of other extensions will fail until fixed.
   */
  configurationError?: ExtensionsConfigurationError;
}

/**
 * Runs one discovery. Throws ExtensionsConfigurationError when the token may not list the
 * extensions (nothing is written then); other RingCentral and registry errors propagate.
 */
export async function discoverExtensions(
  dependencies: DiscoveryDependencies,
  options: CallOptions = {},
): Promise<DiscoveryResult> {
  const now = new Date((dependencies.now ?? Date.now)()).toISOString();
  const policy = await dependencies.policies.read();
  const listed = await listAll(dependencies.extensions, options);
  const known = new Map<string, ExtensionEntry>();
  for await (const entry of dependencies.registry.list()) known.set(entry.id, entry);

  const counts: DiscoveryCounts = {
    listed: listed.length,
    archived: 0,
    skipped: {},
    new: 0,
    gone: 0,
    returned: 0,
  };
  const writes: Array<Parameters<ExtensionRegistry['putDiscovered']>[0]> = [];
  for (const record of listed) {
    const stored = known.get(record.id);
    const type = record.type ?? 'Unknown';
    const decision = decide(policy, { id: record.id, type });
    if (decision.archived) counts.archived += 1;
    else if (decision.skipReason) {
      counts.skipped[decision.skipReason] = (counts.skipped[decision.skipReason] ?? 0) + 1;
    }
    if (!stored) counts.new += 1;
    else if (stored.goneSince) counts.returned += 1;
    writes.push({
      id: record.id,
      ...(record.extensionNumber ? { extensionNumber: record.extensionNumber } : {}),
      ...(record.name ? { name: record.name } : {}),
      type,
      status: record.status ?? 'Unknown',
      firstSeen: stored?.firstSeen || now,
      lastSeen: now,
      ...decision,
    });
  }
  const listedIds = new Set(listed.map((record) => record.id));
  for (const entry of known.values()) {
    if (listedIds.has(entry.id) || entry.goneSince) continue;
    counts.gone += 1;
    writes.push({ ...identityOf(entry), goneSince: now });
  }
  await inParallel(writes, DISCOVERY_DEFAULTS.writeConcurrency, (entry) =>
    dependencies.registry.putDiscovered(entry),
  );
  const configurationError = await probeOtherExtension(dependencies.extensions, writes, options);
  return configurationError ? { counts, configurationError } : { counts };
}

async function listAll(
  extensions: Pick<ExtensionsApi, 'list'>,
  options: CallOptions,
): Promise<ExtensionRecord[]> {
  try {
    return await extensions.list({ perPage: DISCOVERY_DEFAULTS.perPage }, options);
  } catch (error) {
    if (error instanceof InsufficientPermissionsError) {
      throw new ExtensionsConfigurationError('list', error.permissionName, { cause: error });
    }
    throw error;
  }
}

/**
 * Listing is allowed to non-admins (the company directory), so it proves nothing: one Light
 * read of an archived extension other than the token's own shows whether the role reaches them.
 */
async function probeOtherExtension(
  extensions: Pick<ExtensionsApi, 'get'>,
  entries: ReadonlyArray<{ id: string; archived: boolean; goneSince?: string }>,
  options: CallOptions,
): Promise<ExtensionsConfigurationError | undefined> {
  const candidates = entries.filter((entry) => entry.archived && !entry.goneSince);
  if (candidates.length === 0) return undefined;
  const own = await extensions.get('~', options);
  const other = candidates.find((entry) => entry.id !== String(own.id));
  if (!other) return undefined;
  try {
    await extensions.get(other.id, options);
    return undefined;
  } catch (error) {
    if (!(error instanceof InsufficientPermissionsError)) throw error;
    return new ExtensionsConfigurationError('read', error.permissionName, {
      cause: error,
      extensionId: other.id,
    });
  }
}

/** The discovery fields of a stored entry (what putDiscovered takes). */
function identityOf(entry: ExtensionEntry): Parameters<ExtensionRegistry['putDiscovered']>[0] {
  return {
    id: entry.id,
    ...(entry.extensionNumber ? { extensionNumber: entry.extensionNumber } : {}),
    ...(entry.name ? { name: entry.name } : {}),
    type: entry.type,
    status: entry.status,
    firstSeen: entry.firstSeen,
    lastSeen: entry.lastSeen,
    archived: entry.archived,
    ...(entry.skipReason ? { skipReason: entry.skipReason } : {}),
  };
}

/** Runs `task` over `items`, at most `limit` at a time; rejects with the first failure. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
