import { describe, expect, it } from 'vitest';
import type {
  CreateSubscriptionRequest,
  Subscription,
  SubscriptionsApi,
} from '../../../lib/ringcentral/index.ts';
import { InvalidRequestError, NotFoundError } from '../../../lib/ringcentral/index.ts';
import { keepSubscriptions } from '../../../lib/webhooks/subscription-keeper.ts';
import type { DesiredSubscription } from '../../../lib/webhooks/subscription-plan.ts';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const DAY = 86_400_000;
const desired: DesiredSubscription = {
  address: 'https://hooks.example.com/webhook',
  eventFilters: ['/restapi/v1.0/account/~/extension/~/message-store'],
  expiresInSeconds: 7 * 86_400,
  renewBeforeSeconds: 3 * 86_400,
};

/** An in-memory subscriptions port; `renewError` makes renew fail the way RingCentral does. */
function subscriptionsApi(existing: Subscription[], renewError?: Error) {
  const store = new Map(existing.map((subscription) => [subscription.id, subscription]));
  const created: CreateSubscriptionRequest[] = [];
  let next = 0;
  const api: SubscriptionsApi = {
    list: async () => [...store.values()],
    get: async (id) => {
      const found = store.get(id);
      if (!found) throw new NotFoundError('gone', { status: 404 });
      return found;
    },
    create: async (request) => {
      created.push(request);
      next += 1;
      const subscription: Subscription = {
        id: `new-${next}`,
        uri: '',
        eventFilters: request.eventFilters,
        expirationTime: new Date(NOW + (request.expiresIn ?? 0) * 1000).toISOString(),
        status: 'Active',
        creationTime: new Date(NOW).toISOString(),
        deliveryMode: { transportType: 'WebHook', address: request.deliveryMode.address },
      };
      store.set(subscription.id, subscription);
      return subscription;
    },
    renew: async (id) => {
      if (renewError) throw renewError;
      const found = store.get(id)!;
      return { ...found, expirationTime: new Date(NOW + 7 * DAY).toISOString() };
    },
    update: async () => {
      throw new Error('not used');
    },
    delete: async (id) => {
      if (!store.delete(id)) throw new NotFoundError('gone', { status: 404 });
    },
  };
  return { api, store, created };
}

function expiring(id: string): Subscription {
  return {
    id,
    uri: '',
    eventFilters: ['/restapi/v1.0/account/1/extension/2/message-store'],
    expirationTime: new Date(NOW + DAY).toISOString(),
    status: 'Active',
    creationTime: new Date(NOW - DAY).toISOString(),
    deliveryMode: { transportType: 'WebHook', address: desired.address },
  };
}

describe('keepSubscriptions', () => {
  it('creates with the verification token and expiresIn when there is none', async () => {
    // Prepare
    const { api, created } = subscriptionsApi([]);

    // Act
    const report = await keepSubscriptions({
      subscriptions: api,
      desired,
      verificationToken: 'token-0123456789abcdef',
      now: () => NOW,
    });

    // Assess
    expect(report.subscriptions.map((kept) => kept.action)).toEqual(['created']);
    expect(created).toEqual([
      {
        eventFilters: desired.eventFilters,
        deliveryMode: {
          transportType: 'WebHook',
          address: desired.address,
          verificationToken: 'token-0123456789abcdef',
        },
        expiresIn: desired.expiresInSeconds,
      },
    ]);
  });

  it('replaces a subscription whose renewal RingCentral refuses (blacklisted meanwhile)', async () => {
    // Prepare
    const refusal = new InvalidRequestError('SUB-528: blacklisted', { status: 400 });
    const { api, store } = subscriptionsApi([expiring('old')], refusal);

    // Act
    const report = await keepSubscriptions({
      subscriptions: api,
      desired,
      verificationToken: 'token-0123456789abcdef',
      now: () => NOW,
    });

    // Assess
    expect(report.subscriptions).toMatchObject([{ action: 'created', renewalRefused: true }]);
    expect([...store.keys()]).toEqual(report.subscriptions.map((kept) => kept.subscriptionId));
  });

  it('treats a subscription deleted by an overlapping run as already gone', async () => {
    // Prepare: listed as blacklisted, but deleted by someone else before our delete.
    const { api, store } = subscriptionsApi([{ ...expiring('old'), status: 'Blacklisted' }]);
    const racing: SubscriptionsApi = {
      ...api,
      delete: async (id) => {
        store.delete(id);
        throw new NotFoundError('gone', { status: 404 });
      },
    };

    // Act
    const report = await keepSubscriptions({
      subscriptions: racing,
      desired,
      verificationToken: 'token-0123456789abcdef',
      now: () => NOW,
    });

    // Assess
    expect(report.subscriptions.map((kept) => kept.action)).toEqual(['created']);
    expect(report.deleted).toEqual([{ id: 'old', reason: 'blacklisted' }]);
  });
});
