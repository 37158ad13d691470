/**
 * The webhook event filters the registry calls for: one message-store filter per archived,
 * non-gone extension (each mailbox signals its own changes, so the webhook marks exactly that
 * extension changed) and the account's extension-list filter (so discovery runs when an
 * extension is created, changed or removed). The subscription keeper spreads them over
 * subscriptions (`lib/webhooks/subscription-plan.ts`).
 */
import type { ExtensionEntry, ExtensionRegistry } from './ports.ts';

/** The account's extension list: created, updated and deleted extensions. */
export const EXTENSION_LIST_FILTER = '/restapi/v1.0/account/~/extension';

/** `/restapi/v1.0/account/~/extension/{id}/message-store`: one mailbox's changes. */
export function messageStoreFilter(extensionId: string): string {
  if (!/^\d{1,20}$/.test(extensionId)) {
    throw new RangeError(`Not an extension id: ${extensionId}`);
  }
  return `/restapi/v1.0/account/~/extension/${extensionId}/message-store`;
}

/** True for entries whose mailbox is watched: archived and still listed by RingCentral. */
export function isWatched(entry: ExtensionEntry): boolean {
  return entry.archived && entry.goneSince === undefined;
}

/** Options of {@link subscriptionFilters}. */
export interface SubscriptionFilterOptions {
  /**
   * Also each watched extension's instant SMS filter, the only one whose events carry the text
   * (when the webhook puts SMS text into its events); doubles the filters.
   */
  instantSms?: boolean;
  /** Account-level filters from the settings, added as they are. */
  extra?: readonly string[];
}

/**
 * The filters for the registry's entries, the extension-list filter first and then those of each
 * watched extension in id order (the registry's order), each once; `extra` follow, duplicates
 * dropped.
 */
export async function subscriptionFilters(
  registry: Pick<ExtensionRegistry, 'list'>,
  options: SubscriptionFilterOptions = {},
): Promise<string[]> {
  const filters = new Set<string>([EXTENSION_LIST_FILTER]);
  for await (const entry of registry.list()) {
    if (!isWatched(entry)) continue;
    const store = messageStoreFilter(entry.id);
    filters.add(store);
    if (options.instantSms) filters.add(`${store}/instant?type=SMS`);
  }
  for (const filter of options.extra ?? []) filters.add(filter);
  return [...filters];
}
