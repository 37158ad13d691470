/**
 * Applies a subscription plan against RingCentral: deletes first (they free slots of the 30 a
 * user and app may hold), then updates, renews or keeps each kept subscription, then creates.
 * A renewal or update RingCentral refuses (blacklisted or gone since the listing) falls back to
 * creating a new subscription with the same filters.
 */
import type { CallOptions, Subscription, SubscriptionsApi } from '../ringcentral/index.ts';
import { InvalidRequestError, NotFoundError } from '../ringcentral/index.ts';
import {
  type DeleteReason,
  type DesiredSubscription,
  type KeptSubscription,
  planSubscriptions,
} from './subscription-plan.ts';

/** One subscription in place after the run. */
export interface KeptSubscriptionReport {
  subscriptionId: string;
  /** ISO time it expires. */
  expirationTime: string;
  action: 'kept' | 'renewed' | 'updated' | 'created';
  /** How many event filters it holds. */
  filters: number;
  /** True when a renewal or update was refused and this new subscription replaced it. */
  renewalRefused?: boolean;
}

/** What the keeper did; logged and counted by the caller. No secret in it. */
export interface KeeperReport {
  /** The active subscriptions after the run. */
  subscriptions: KeptSubscriptionReport[];
  deleted: Array<{ id: string; reason: DeleteReason }>;
  /** Desired filters no subscription slot was left for (a configuration error when > 0). */
  unplacedFilters: number;
}

/** Options of {@link keepSubscriptions}. */
export interface KeepSubscriptionsOptions {
  subscriptions: SubscriptionsApi;
  desired: DesiredSubscription;
  verificationToken: string;
  now?: () => number;
  callOptions?: CallOptions;
}

async function deleteIfPresent(
  subscriptions: SubscriptionsApi,
  id: string,
  callOptions: CallOptions | undefined,
): Promise<void> {
  try {
    await subscriptions.delete(id, callOptions);
  } catch (error) {
    // Already gone (expired or deleted by an overlapping run): the goal is reached.
    if (!(error instanceof NotFoundError)) throw error;
  }
}

function reportOf(
  subscription: Subscription,
  action: KeptSubscriptionReport['action'],
  filters: number,
): KeptSubscriptionReport {
  return {
    subscriptionId: subscription.id,
    expirationTime: subscription.expirationTime,
    action,
    filters,
  };
}

/** Leaves exactly the needed active subscriptions for the desired address and filters. */
export async function keepSubscriptions(options: KeepSubscriptionsOptions): Promise<KeeperReport> {
  const { subscriptions, desired, callOptions } = options;
  const now = options.now ?? Date.now;
  const existing = await subscriptions.list(callOptions);
  const plan = planSubscriptions(existing, desired, now());
  const deleted = [...plan.delete];
  for (const entry of plan.delete) await deleteIfPresent(subscriptions, entry.id, callOptions);

  const create = async (eventFilters: string[]) =>
    reportOf(
      await subscriptions.create(
        {
          eventFilters,
          deliveryMode: {
            transportType: 'WebHook',
            address: desired.address,
            verificationToken: options.verificationToken,
          },
          expiresIn: desired.expiresInSeconds,
        },
        callOptions,
      ),
      'created',
      eventFilters.length,
    );

  const keep = async (kept: KeptSubscription): Promise<KeptSubscriptionReport> => {
    const filters = kept.eventFilters;
    const count =
      filters?.length ??
      existing.find((subscription) => subscription.id === kept.id)?.eventFilters?.length ??
      0;
    if (!filters && !kept.renew) {
      return {
        subscriptionId: kept.id,
        expirationTime: new Date(kept.expiresAt).toISOString(),
        action: 'kept',
        filters: count,
      };
    }
    try {
      return filters
        ? reportOf(
            await subscriptions.update(
              kept.id,
              { eventFilters: filters, expiresIn: desired.expiresInSeconds },
              callOptions,
            ),
            'updated',
            count,
          )
        : reportOf(await subscriptions.renew(kept.id, callOptions), 'renewed', count);
    } catch (error) {
      if (!(error instanceof NotFoundError || error instanceof InvalidRequestError)) throw error;
      // Blacklisted since the listing, or gone: replace it with the same filters.
      await deleteIfPresent(subscriptions, kept.id, callOptions);
      deleted.push({ id: kept.id, reason: 'blacklisted' });
      const existingFilters =
        existing.find((subscription) => subscription.id === kept.id)?.eventFilters ?? [];
      return { ...(await create(filters ?? existingFilters)), renewalRefused: true };
    }
  };

  const kept: KeptSubscriptionReport[] = [];
  for (const entry of plan.keep) kept.push(await keep(entry));
  for (const eventFilters of plan.create) kept.push(await create(eventFilters));
  return { subscriptions: kept, deleted, unplacedFilters: plan.unplaced.length };
}
