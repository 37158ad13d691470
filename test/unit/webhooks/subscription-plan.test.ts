import { describe, expect, it } from 'vitest';
import type { Subscription } from '../../../lib/ringcentral/index.ts';
import {
  type DesiredSubscription,
  filterMatches,
  planSubscriptions,
} from '../../../lib/webhooks/subscription-plan.ts';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const DAY = 86_400_000;
const desired: DesiredSubscription = {
  address: 'https://hooks.example.com/webhook',
  eventFilters: ['/restapi/v1.0/account/~/extension/~/message-store'],
  expiresInSeconds: 7 * 86_400,
  renewBeforeSeconds: 2 * 86_400,
};

function subscription(
  id: string,
  init: Partial<Subscription> & { daysLeft?: number } = {},
): Subscription {
  const { daysLeft = 6, ...rest } = init;
  return {
    id,
    uri: `https://platform/restapi/v1.0/subscription/${id}`,
    eventFilters: ['/restapi/v1.0/account/400131880008/extension/101001/message-store'],
    expirationTime: new Date(NOW + daysLeft * DAY).toISOString(),
    status: 'Active',
    creationTime: new Date(NOW - DAY).toISOString(),
    deliveryMode: { transportType: 'WebHook', address: desired.address },
    ...rest,
  };
}

describe('filterMatches', () => {
  it('lets ~ stand for an id and nothing else', () => {
    // Prepare
    const want = '/restapi/v1.0/account/~/extension/~/message-store';

    // Act
    const results = [
      filterMatches(want, '/restapi/v1.0/account/1/extension/2/message-store'),
      filterMatches(want, '/restapi/v1.0/account/~/extension/~/message-store'),
      filterMatches(want, '/restapi/v1.0/account/1/extension/2/presence'),
      filterMatches(want, '/restapi/v1.0/account/1/extension/2/message-store/instant?type=SMS'),
      filterMatches(
        `${want}/instant?type=SMS`,
        '/restapi/v1.0/account/1/extension/2/message-store/instant?type=SMS',
      ),
    ];

    // Assess
    expect(results).toEqual([true, true, false, false, true]);
  });
});

describe('planSubscriptions', () => {
  it('creates one when there is none for the address', () => {
    // Prepare
    const other = subscription('x', {
      deliveryMode: { transportType: 'WebHook', address: 'https://other' },
    });

    // Act
    const plan = planSubscriptions([other], desired, NOW);

    // Assess
    expect(plan).toEqual({ delete: [], create: true });
  });

  it('keeps a healthy one without renewing it', () => {
    // Prepare
    const existing = [subscription('a')];

    // Act
    const plan = planSubscriptions(existing, desired, NOW);

    // Assess
    expect(plan).toMatchObject({ delete: [], create: false, keep: { id: 'a', renew: false } });
  });

  it('renews one that expires within the renewal window', () => {
    // Prepare
    const existing = [subscription('a', { daysLeft: 1 })];

    // Act
    const plan = planSubscriptions(existing, desired, NOW);

    // Assess
    expect(plan.keep).toMatchObject({ id: 'a', renew: true });
  });

  it('deletes a blacklisted one and creates a new one', () => {
    // Prepare
    const existing = [subscription('a', { status: 'Blacklisted' })];

    // Act
    const plan = planSubscriptions(existing, desired, NOW);

    // Assess
    expect(plan).toEqual({ delete: [{ id: 'a', reason: 'blacklisted' }], create: true });
  });

  it('keeps the longest-lived duplicate and deletes the others and those with other filters', () => {
    // Prepare
    const existing = [
      subscription('a', { daysLeft: 3 }),
      subscription('b', { daysLeft: 5 }),
      subscription('c', { eventFilters: ['/restapi/v1.0/account/1/extension/2/presence'] }),
    ];

    // Act
    const plan = planSubscriptions(existing, desired, NOW);

    // Assess
    expect(plan.keep?.id).toBe('b');
    expect(plan.delete).toEqual([
      { id: 'c', reason: 'wrong-filters' },
      { id: 'a', reason: 'duplicate' },
    ]);
    expect(plan.create).toBe(false);
  });
});
