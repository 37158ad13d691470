import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEventPublisher } from '../../../lib/aws/events.ts';
import { createRingCentralFromSecrets } from '../../../lib/aws/ringcentral.ts';
import type { ExtensionEntry } from '../../../lib/extensions/ports.ts';
import {
  EXTENSION_LIST_FILTER,
  messageStoreFilter,
} from '../../../lib/extensions/subscription-filters.ts';
import type { RingCentral, Subscription } from '../../../lib/ringcentral/index.ts';
import type { DesiredSubscription } from '../../../lib/webhooks/subscription-plan.ts';
import { createVerificationTokenReader } from '../../../lib/webhooks/verification-secret.ts';
import { type FakeEventBridge, fakeEventBridge } from '../../support/aws-fakes.ts';
import { lambdaContext, scheduledEvent } from '../../support/events.ts';
import { type LocalGateway, startGateway } from './events-gateway.ts';
import {
  baseEnvironment,
  type EventsHarness,
  importWithEnvironment,
  SECRET_IDS,
  startEventsHarness,
  VERIFICATION_TOKEN,
} from './events-harness.ts';

type KeeperModule = typeof import('../../../functions/subscription-keeper.ts');
type WebhookModule = typeof import('../../../functions/webhook.ts');

let harness: EventsHarness;
let keeperModule: KeeperModule;
let gateway: LocalGateway;
let events: FakeEventBridge;
let client: RingCentral;
let desired: DesiredSubscription;

/** A registry of archived extensions (and one gone, which needs no filter). */
const registry = {
  async *list(): AsyncIterable<ExtensionEntry> {
    const base = { type: 'User', status: 'Enabled', firstSeen: '', lastSeen: '', archived: true };
    yield { ...base, id: '101001' };
    yield { ...base, id: '101002' };
    yield { ...base, id: '101003', goneSince: '2026-01-01T00:00:00.000Z' };
  },
};

beforeAll(async () => {
  harness = await startEventsHarness({ session: true });
  events = fakeEventBridge();
  const environment = {
    ...baseEnvironment(harness),
    EVENT_BUS_NAME: 'bus',
    WEBHOOK_URL: 'http://127.0.0.1:9/webhook',
  };
  const webhookModule: WebhookModule = await importWithEnvironment(
    () => import('../../../functions/webhook.ts'),
    environment,
  );
  keeperModule = await importWithEnvironment(
    () => import('../../../functions/subscription-keeper.ts'),
    environment,
  );
  // The real webhook function behind a local gateway answers RingCentral's handshake.
  gateway = await startGateway(
    '/webhook',
    webhookModule.createHandler({
      verificationToken: createVerificationTokenReader({
        secretId: SECRET_IDS.webhook,
        client: harness.secrets.client,
      }),
      publisher: createEventPublisher({ busName: 'bus', source: 'test', client: events.client }),
      includeText: false,
    }),
  );
  client = await createRingCentralFromSecrets({
    store: harness.store,
    credentialsSecretId: SECRET_IDS.credentials,
    sessionSecretId: SECRET_IDS.session,
  });
  desired = {
    address: gateway.url,
    eventFilters: [
      EXTENSION_LIST_FILTER,
      messageStoreFilter('101001'),
      messageStoreFilter('101002'),
    ],
    expiresInSeconds: 7 * 86_400,
    renewBeforeSeconds: 3 * 86_400,
  };
});

afterAll(async () => {
  await gateway?.stop();
  events?.restore();
  await harness?.stop();
});

beforeEach(async () => {
  for (const subscription of await client.subscriptions.list()) {
    await client.subscriptions.delete(subscription.id);
  }
});

function keeper(offsetMs = 0) {
  return keeperModule.createHandler({
    ringCentral: async () => client,
    verificationToken: createVerificationTokenReader({
      secretId: SECRET_IDS.webhook,
      client: harness.secrets.client,
    }),
    registry,
    desired,
    now: () => Date.now() + offsetMs,
  });
}

async function active(): Promise<Subscription[]> {
  return (await client.subscriptions.list()).filter(
    (subscription) =>
      subscription.status === 'Active' && subscription.deliveryMode.address === gateway.url,
  );
}

function createDirectly(): Promise<Subscription> {
  return client.subscriptions.create({
    eventFilters: desired.eventFilters,
    deliveryMode: {
      transportType: 'WebHook',
      address: gateway.url,
      verificationToken: VERIFICATION_TOKEN,
    },
    expiresIn: desired.expiresInSeconds,
  });
}

describe('subscription-keeper', () => {
  it('creates the subscription, with expiresIn, after the webhook answered the handshake', async () => {
    // Prepare
    const handshakesBefore = gateway.requests();

    // Act
    const report = await keeper()(scheduledEvent(), lambdaContext());

    // Assess
    const subscriptions = await active();
    expect(report.subscriptions[0]?.action).toBe('created');
    expect(subscriptions.map((subscription) => subscription.id)).toEqual([
      report.subscriptions[0]?.subscriptionId,
    ]);
    expect(subscriptions[0]?.expiresIn).toBeGreaterThan(7 * 86_400 - 60);
    expect(gateway.requests()).toBeGreaterThan(handshakesBefore);
  });

  it('keeps a healthy subscription untouched', async () => {
    // Prepare
    const existing = await createDirectly();

    // Act
    const report = await keeper()(scheduledEvent(), lambdaContext());

    // Assess
    expect(report).toMatchObject({
      subscriptions: [{ action: 'kept', subscriptionId: existing.id, filters: 3 }],
      deleted: [],
    });
    expect((await active()).map((subscription) => subscription.id)).toEqual([existing.id]);
  });

  it('renews a subscription that would expire within the renewal window', async () => {
    // Prepare: five days later, two days are left, under the three-day window.
    const existing = await createDirectly();

    // Act
    const report = await keeper(5 * 86_400_000)(scheduledEvent(), lambdaContext());

    // Assess
    expect(report).toMatchObject({
      subscriptions: [{ action: 'renewed', subscriptionId: existing.id }],
    });
    expect((await active()).map((subscription) => subscription.id)).toEqual([existing.id]);
  });

  it('deletes a blacklisted subscription and creates a new one', async () => {
    // Prepare
    const existing = await createDirectly();
    harness.emulator.subscriptions.blacklist(existing.id);

    // Act
    const report = await keeper()(scheduledEvent(), lambdaContext());

    // Assess
    const all = await client.subscriptions.list();
    expect(report.subscriptions[0]?.action).toBe('created');
    expect(report.deleted).toEqual([{ id: existing.id, reason: 'blacklisted' }]);
    expect(all.map((subscription) => [subscription.id, subscription.status])).toEqual([
      [report.subscriptions[0]?.subscriptionId, 'Active'],
    ]);
    expect(report.subscriptions[0]?.subscriptionId).not.toBe(existing.id);
  });

  it('deletes duplicates, leaving exactly one', async () => {
    // Prepare
    await createDirectly();
    await createDirectly();
    await createDirectly();

    // Act
    const report = await keeper()(scheduledEvent(), lambdaContext());

    // Assess
    expect(report.subscriptions[0]?.action).toBe('kept');
    expect(report.deleted.map((entry) => entry.reason)).toEqual(['duplicate', 'duplicate']);
    expect((await active()).map((subscription) => subscription.id)).toEqual([
      report.subscriptions[0]?.subscriptionId,
    ]);
  });

  it('moves the filters when the registry changes, in place', async () => {
    // Prepare: a subscription still watching an extension that has since gone.
    const existing = await client.subscriptions.create({
      eventFilters: [
        EXTENSION_LIST_FILTER,
        messageStoreFilter('101001'),
        messageStoreFilter('101003'),
      ],
      deliveryMode: {
        transportType: 'WebHook',
        address: gateway.url,
        verificationToken: VERIFICATION_TOKEN,
      },
      expiresIn: desired.expiresInSeconds,
    });

    // Act
    const report = await keeper()(scheduledEvent(), lambdaContext());

    // Assess
    const [only, ...others] = await active();
    expect(others).toEqual([]);
    expect(report.subscriptions).toMatchObject([
      { subscriptionId: existing.id, action: 'updated' },
    ]);
    expect(only?.eventFilters.map((filter) => filter.replace(/account\/\d+/, 'account/~'))).toEqual(
      desired.eventFilters,
    );
  });

  it('leaves subscriptions to other addresses alone', async () => {
    // Prepare: another integration's subscription, delivering to the gateway under another path.
    const otherGateway = await startGateway('/other', async (event) => ({
      statusCode: 200,
      headers: { 'validation-token': event.headers['validation-token'] ?? '' },
    }));
    const other = await client.subscriptions.create({
      eventFilters: desired.eventFilters,
      deliveryMode: { transportType: 'WebHook', address: otherGateway.url },
      expiresIn: 3600,
    });

    // Act
    const report = await keeper()(scheduledEvent(), lambdaContext());

    // Assess
    const ids = (await client.subscriptions.list()).map((subscription) => subscription.id);
    expect(report.subscriptions[0]?.action).toBe('created');
    expect(ids).toContain(other.id);
    await otherGateway.stop();
  });
});
