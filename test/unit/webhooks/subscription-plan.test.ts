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
    expect(plan).toEqual({ delete: [], keep: [], create: [desired.eventFilters], unplaced: [] });
  });

  it('keeps a healthy one without renewing it', () => {
    // Prepare
    const existing = [subscription('a')];

    // Act
    const plan = planSubscriptions(existing, desired, NOW);

    // Assess
    expect(plan).toEqual({
      delete: [],
      create: [],
      keep: [{ id: 'a', renew: false, expiresAt: NOW + 6 * DAY }],
      unplaced: [],
    });
  });

  it('renews one that expires within the renewal window', () => {
    // Prepare
    const existing = [subscription('a', { daysLeft: 1 })];

    // Act
    const plan = planSubscriptions(existing, desired, NOW);

    // Assess
    expect(plan.keep).toMatchObject([{ id: 'a', renew: true }]);
  });

  it('deletes a blacklisted one and creates a new one', () => {
    // Prepare
    const existing = [subscription('a', { status: 'Blacklisted' })];

    // Act
    const plan = planSubscriptions(existing, desired, NOW);

    // Assess
    expect(plan).toEqual({
      delete: [{ id: 'a', reason: 'blacklisted' }],
      keep: [],
      create: [desired.eventFilters],
      unplaced: [],
    });
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
    expect(plan.keep.map((kept) => kept.id)).toEqual(['b']);
    expect(plan.delete).toEqual([
      { id: 'c', reason: 'wrong-filters' },
      { id: 'a', reason: 'duplicate' },
    ]);
    expect(plan.create).toEqual([]);
  });
});

describe('planSubscriptions over many extensions', () => {
  const storeFilter = (id: number) => `/restapi/v1.0/account/~/extension/${id}/message-store`;
  const listFilter = '/restapi/v1.0/account/~/extension';
  const many = (count: number) => [
    listFilter,
    ...Array.from({ length: count }, (_, index) => storeFilter(100_000 + index)),
  ];
  const manyDesired = (count: number): DesiredSubscription => ({
    ...desired,
    eventFilters: many(count),
    filtersPerSubscription: 200,
  });

  it('spreads 5,000 extensions over 26 subscriptions of at most 200 filters, each filter once', () => {
    // Prepare
    const wanted = manyDesired(5_000);

    // Act
    const plan = planSubscriptions([], wanted, NOW);

    // Assess
    expect(plan.create).toHaveLength(26);
    expect(Math.max(...plan.create.map((filters) => filters.length))).toBe(200);
    expect(plan.create.flat().sort()).toEqual([...wanted.eventFilters].sort());
    expect(plan.unplaced).toEqual([]);
  });

  it('raises the chunk when the slots left by other integrations need it, and never exceeds 30', () => {
    // Prepare: 10 of the 30 slots belong to someone else.
    const foreign = Array.from({ length: 10 }, (_, index) =>
      subscription(`other-${index}`, {
        deliveryMode: { transportType: 'WebHook', address: 'https://other' },
      }),
    );

    // Act
    const plan = planSubscriptions(foreign, manyDesired(5_000), NOW);

    // Assess
    expect(plan.create).toHaveLength(20);
    expect(Math.max(...plan.create.map((filters) => filters.length))).toBe(251);
    expect(plan.create.flat()).toHaveLength(5_001);
  });

  it('puts a new extension into a subscription with room and leaves the full ones untouched', () => {
    // Prepare: 401 filters placed in three subscriptions (200, 200, 1); one extension gone, two new.
    const before = many(400);
    const existing = [
      subscription('a', { eventFilters: before.slice(0, 200) }),
      subscription('b', { eventFilters: before.slice(200, 400) }),
      subscription('c', { eventFilters: before.slice(400) }),
    ];
    const after = [
      ...before.filter((filter) => filter !== storeFilter(100_250)),
      ...many(402).slice(401),
    ];

    // Act
    const plan = planSubscriptions(existing, { ...manyDesired(0), eventFilters: after }, NOW);

    // Assess
    expect(plan.delete).toEqual([]);
    expect(plan.create).toEqual([]);
    expect(plan.keep.map((kept) => [kept.id, kept.eventFilters?.length])).toEqual([
      ['a', undefined],
      ['b', 200],
      ['c', 2],
    ]);
    expect(
      plan.keep
        .flatMap((kept, index) => kept.eventFilters ?? existing[index]?.eventFilters ?? [])
        .sort(),
    ).toEqual([...after].sort());
  });
});
