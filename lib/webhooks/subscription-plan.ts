/**
 * What the subscription keeper must do to leave exactly the needed webhook subscriptions for its
 * address: every desired event filter in exactly one active subscription, at most
 * `filtersPerSubscription` filters in each, within the slots RingCentral leaves (30 per user and
 * app, FACTS.md, minus those of other integrations). Pure, so that every case (none, expiring,
 * blacklisted, duplicates, filters added and removed, the account outgrowing a chunk) is
 * unit-tested without a server.
 *
 * Filters stay where they are: a new extension's filter goes into a subscription with room, a gone
 * one's leaves its subscription (one PUT of that subscription's filters); the others are not
 * touched, so adding one employee never re-creates thirty subscriptions.
 */
import type { Subscription } from '../ringcentral/index.ts';

/** RingCentral's limit of subscriptions per user and app (FACTS.md). */
export const MAX_SUBSCRIPTIONS_PER_USER_AND_APP = 30;

/**
 * Filters per subscription the keeper fills before it opens another subscription. 200 keeps a
 * blacklisted subscription's blind spot (until the next run re-creates it) to 200 extensions and
 * a change to one PUT of 200 filters, and 30 × 200 = 6,000 filters covers the 5,000-extension
 * goal. A larger account raises the chunk to what the free slots need (see {@link chunkSize}).
 */
export const DEFAULT_FILTERS_PER_SUBSCRIPTION = 200;

/** The subscriptions the deployment wants. */
export interface DesiredSubscription {
  /** The webhook URL (WEBHOOK_URL). */
  address: string;
  /** Every event filter needed, in a stable order; `~` may stand for the account or extension id. */
  eventFilters: string[];
  /** Lifetime asked for on creation and renewal, in seconds. */
  expiresInSeconds: number;
  /** Renew when less than this is left, in seconds. */
  renewBeforeSeconds: number;
  /** Default {@link DEFAULT_FILTERS_PER_SUBSCRIPTION}. */
  filtersPerSubscription?: number;
  /** Default {@link MAX_SUBSCRIPTIONS_PER_USER_AND_APP}. */
  maxSubscriptions?: number;
}

/** Why a subscription is deleted (each reason has its own metric). */
export type DeleteReason = 'blacklisted' | 'duplicate' | 'wrong-filters';

/** One subscription kept. */
export interface KeptSubscription {
  id: string;
  /** Renew it (its lifetime is short); an update restarts the lifetime as well. */
  renew: boolean;
  expiresAt: number;
  /** Its new filter list when it must change (PUT); absent when it stays as it is. */
  eventFilters?: string[];
}

/** The steps, in the order the keeper applies them (deletes first: they free slots of the 30). */
export interface SubscriptionPlan {
  delete: Array<{ id: string; reason: DeleteReason }>;
  keep: KeptSubscription[];
  /** The filter lists of the subscriptions to create. */
  create: string[][];
  /** Desired filters no slot was left for: a configuration error the keeper reports. */
  unplaced: string[];
}

/**
 * True when an actual filter (as RingCentral returns it, `~` expanded to ids) is the desired
 * one: path segments equal, a desired `~` matching any id, and the query part identical.
 */
export function filterMatches(desired: string, actual: string): boolean {
  const [desiredPath = '', desiredQuery = ''] = desired.split('?', 2);
  const [actualPath = '', actualQuery = ''] = actual.split('?', 2);
  if (desiredQuery !== actualQuery) return false;
  const want = desiredPath.split('/');
  const have = actualPath.split('/');
  return (
    want.length === have.length &&
    want.every((segment, index) => {
      const other = have[index] ?? '';
      return segment === other || (segment === '~' && (other === '~' || /^\d+$/.test(other)));
    })
  );
}

function expiresAtOf(subscription: Subscription, now: number): number {
  const parsed = Date.parse(subscription.expirationTime);
  if (!Number.isNaN(parsed)) return parsed;
  return subscription.expiresIn === undefined ? now : now + subscription.expiresIn * 1000;
}

/** Filters per subscription: the configured chunk, or more when the free slots need it. */
export function chunkSize(filters: number, slots: number, configured: number): number {
  return Math.max(configured, Math.ceil(filters / Math.max(1, slots)));
}

/** The desired filters not yet placed, matched against what a subscription holds. */
class Unplaced {
  readonly #remaining: string[];
  constructor(filters: string[]) {
    this.#remaining = [...new Set(filters)];
  }
  /** Takes the desired filter `actual` stands for, when it is still unplaced. */
  take(actual: string): string | undefined {
    const index = this.#remaining.findIndex((want) => filterMatches(want, actual));
    return index < 0 ? undefined : this.#remaining.splice(index, 1)[0];
  }
  /** Takes up to `count` filters, in the desired order. */
  next(count: number): string[] {
    return this.#remaining.splice(0, Math.max(0, count));
  }
  get size(): number {
    return this.#remaining.length;
  }
}

/**
 * Plans the keeper's run. Only subscriptions delivering to `desired.address` are considered:
 * others may belong to someone else's integration (but take slots of the 30). Blacklisted ones
 * are deleted (RingCentral never reactivates them). Active ones, longest-lived first, keep the
 * desired filters they hold that no earlier one holds; one left with none is deleted (`duplicate`
 * when its filters are desired but placed elsewhere, else `wrong-filters`). Filters still
 * unplaced fill the kept ones up to the chunk, then new subscriptions, while slots last.
 */
export function planSubscriptions(
  existing: Subscription[],
  desired: DesiredSubscription,
  now: number,
): SubscriptionPlan {
  const isOurs = (subscription: Subscription) =>
    subscription.deliveryMode?.transportType === 'WebHook' &&
    subscription.deliveryMode.address === desired.address;
  const ours = existing.filter(isOurs);
  const foreign = existing.filter((subscription) => !isOurs(subscription)).length;
  const slots = Math.max(
    0,
    (desired.maxSubscriptions ?? MAX_SUBSCRIPTIONS_PER_USER_AND_APP) - foreign,
  );
  const chunk = chunkSize(
    desired.eventFilters.length,
    slots,
    desired.filtersPerSubscription ?? DEFAULT_FILTERS_PER_SUBSCRIPTION,
  );
  const plan: SubscriptionPlan = { delete: [], keep: [], create: [], unplaced: [] };
  const active = ours
    .filter((subscription) => {
      if (subscription.status === 'Active') return true;
      plan.delete.push({ id: subscription.id, reason: 'blacklisted' });
      return false;
    })
    .map((subscription) => ({ subscription, expiresAt: expiresAtOf(subscription, now) }))
    .sort(
      (a, b) => b.expiresAt - a.expiresAt || a.subscription.id.localeCompare(b.subscription.id),
    );
  const unplaced = new Unplaced(desired.eventFilters);
  const kept: Array<KeptSubscription & { filters: string[]; changed: boolean }> = [];
  for (const { subscription, expiresAt } of active) {
    const actual = subscription.eventFilters ?? [];
    const filters: string[] = [];
    for (const filter of kept.length < slots ? actual : []) {
      if (filters.length >= chunk) break;
      const placed = unplaced.take(filter);
      if (placed !== undefined) filters.push(placed);
    }
    if (filters.length === 0) {
      const desiredElsewhere = actual.some((filter) =>
        desired.eventFilters.some((want) => filterMatches(want, filter)),
      );
      plan.delete.push({
        id: subscription.id,
        reason: desiredElsewhere ? 'duplicate' : 'wrong-filters',
      });
      continue;
    }
    const renew = expiresAt - now < desired.renewBeforeSeconds * 1000;
    kept.push({
      id: subscription.id,
      renew,
      expiresAt,
      filters,
      changed: filters.length !== actual.length,
    });
  }
  for (const subscription of kept) {
    const added = unplaced.next(chunk - subscription.filters.length);
    subscription.filters.push(...added);
    const { filters, changed, ...rest } = subscription;
    plan.keep.push(changed || added.length > 0 ? { ...rest, eventFilters: filters } : rest);
  }
  while (unplaced.size > 0 && kept.length + plan.create.length < slots) {
    plan.create.push(unplaced.next(chunk));
  }
  plan.unplaced = unplaced.next(unplaced.size);
  return plan;
}
