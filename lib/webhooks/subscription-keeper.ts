/**
 * Applies a subscription plan against RingCentral: deletes first (they free slots of the 30 a
 * user and app may hold), then renews or creates. A renewal RingCentral refuses (blacklisted or
 * gone since the listing) falls back to creating a new subscription.
 */
import type { CallOptions, SubscriptionsApi } from '../ringcentral/index.ts';
import { InvalidRequestError, NotFoundError } from '../ringcentral/index.ts';
import {
  type DeleteReason,
  type DesiredSubscription,
  planSubscriptions,
} from './subscription-plan.ts';

/** What the keeper did; logged and counted by the caller. No secret in it. */
export interface KeeperReport {
  /** The active subscription after the run. */
  subscriptionId: string;
  /** ISO time it expires. */
  expirationTime: string;
  action: 'kept' | 'renewed' | 'created';
  deleted: Array<{ id: string; reason: DeleteReason }>;
  /** True when a renewal was refused and a new subscription replaced it. */
  renewalRefused?: boolean;
}

/** Options of {@link keepSubscription}. */
export interface KeepSubscriptionOptions {
  subscriptions: SubscriptionsApi;
  desired: DesiredSubscription;
  verificationToken: string;
  now?: () => number;
  callOptions?: CallOptions;
}

/** Leaves exactly one active subscription for the desired address and filters. */
export async function keepSubscription(options: KeepSubscriptionOptions): Promise<KeeperReport> {
  const { subscriptions, desired, callOptions } = options;
  const now = options.now ?? Date.now;
  const existing = await subscriptions.list(callOptions);
  const plan = planSubscriptions(existing, desired, now());
  for (const entry of plan.delete) {
    try {
      await subscriptions.delete(entry.id, callOptions);
    } catch (error) {
      // Already gone (expired or deleted by an overlapping run): the goal is reached.
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  const create = async () =>
    subscriptions.create(
      {
        eventFilters: desired.eventFilters,
        deliveryMode: {
          transportType: 'WebHook',
          address: desired.address,
          verificationToken: options.verificationToken,
        },
        expiresIn: desired.expiresInSeconds,
      },
      callOptions,
    );
  if (plan.keep && !plan.keep.renew) {
    return {
      subscriptionId: plan.keep.id,
      expirationTime: new Date(plan.keep.expiresAt).toISOString(),
      action: 'kept',
      deleted: plan.delete,
    };
  }
  if (plan.keep?.renew) {
    try {
      const renewed = await subscriptions.renew(plan.keep.id, callOptions);
      return {
        subscriptionId: renewed.id,
        expirationTime: renewed.expirationTime,
        action: 'renewed',
        deleted: plan.delete,
      };
    } catch (error) {
      if (!(error instanceof NotFoundError || error instanceof InvalidRequestError)) throw error;
      // Blacklisted since the listing, or gone: replace it.
      try {
        await subscriptions.delete(plan.keep.id, callOptions);
      } catch (deleteError) {
        if (!(deleteError instanceof NotFoundError)) throw deleteError;
      }
      const created = await create();
      return {
        subscriptionId: created.id,
        expirationTime: created.expirationTime,
        action: 'created',
        deleted: [...plan.delete, { id: plan.keep.id, reason: 'blacklisted' }],
        renewalRefused: true,
      };
    }
  }
  const created = await create();
  return {
    subscriptionId: created.id,
    expirationTime: created.expirationTime,
    action: 'created',
    deleted: plan.delete,
  };
}
