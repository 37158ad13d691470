/**
 * What the subscription keeper must do to leave exactly one active webhook subscription for its
 * address: pure, so that every case (none, expiring, blacklisted, duplicates, wrong filters) is
 * unit-tested without a server.
 */
import type { Subscription } from '../ringcentral/index.ts';

/** The subscription the deployment wants. */
export interface DesiredSubscription {
  /** The webhook URL (WEBHOOK_URL). */
  address: string;
  /** Event filters as configured; `~` may stand for the account or extension id. */
  eventFilters: string[];
  /** Lifetime asked for on creation and renewal, in seconds. */
  expiresInSeconds: number;
  /** Renew when less than this is left, in seconds. */
  renewBeforeSeconds: number;
}

/** Why a subscription is deleted (each reason has its own metric). */
export type DeleteReason = 'blacklisted' | 'duplicate' | 'wrong-filters';

/** The steps, in the order the keeper applies them (deletes first: they free slots of the 30). */
export interface SubscriptionPlan {
  delete: Array<{ id: string; reason: DeleteReason }>;
  /** Keep this one; renew it when `renew` is true. */
  keep?: { id: string; renew: boolean; expiresAt: number };
  /** Create a new subscription (none usable was found). */
  create: boolean;
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

/** True when the two filter lists are the same set (each desired one present, nothing extra). */
export function sameFilters(desired: string[], actual: string[]): boolean {
  return (
    desired.every((want) => actual.some((have) => filterMatches(want, have))) &&
    actual.every((have) => desired.some((want) => filterMatches(want, have)))
  );
}

function expiresAtOf(subscription: Subscription, now: number): number {
  const parsed = Date.parse(subscription.expirationTime);
  if (!Number.isNaN(parsed)) return parsed;
  return subscription.expiresIn === undefined ? now : now + subscription.expiresIn * 1000;
}

/**
 * Plans the keeper's run. Only subscriptions delivering to `desired.address` are considered:
 * others may belong to someone else's integration. Blacklisted ones are deleted (RingCentral
 * never reactivates them); of the active ones with the right filters the longest-lived is kept
 * and the rest deleted; active ones with other filters are deleted. Nothing usable: create.
 */
export function planSubscriptions(
  existing: Subscription[],
  desired: DesiredSubscription,
  now: number,
): SubscriptionPlan {
  const ours = existing.filter(
    (subscription) =>
      subscription.deliveryMode?.transportType === 'WebHook' &&
      subscription.deliveryMode.address === desired.address,
  );
  const plan: SubscriptionPlan = { delete: [], create: false };
  const candidates: Array<{ id: string; expiresAt: number }> = [];
  for (const subscription of ours) {
    if (subscription.status !== 'Active') {
      plan.delete.push({ id: subscription.id, reason: 'blacklisted' });
    } else if (!sameFilters(desired.eventFilters, subscription.eventFilters ?? [])) {
      plan.delete.push({ id: subscription.id, reason: 'wrong-filters' });
    } else {
      candidates.push({ id: subscription.id, expiresAt: expiresAtOf(subscription, now) });
    }
  }
  candidates.sort((a, b) => b.expiresAt - a.expiresAt || a.id.localeCompare(b.id));
  const [best, ...duplicates] = candidates;
  for (const duplicate of duplicates) plan.delete.push({ id: duplicate.id, reason: 'duplicate' });
  if (best) {
    plan.keep = {
      id: best.id,
      expiresAt: best.expiresAt,
      renew: best.expiresAt - now < desired.renewBeforeSeconds * 1000,
    };
  } else {
    plan.create = true;
  }
  return plan;
}
