/**
 * The webhook's delivery guard over loopback HTTP, with the delivery ledger in dynalite: a
 * captured delivery played again is dropped, a stale or future one refused, and a delivery whose
 * processing failed is admitted again when RingCentral retries it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEventPublisher } from '../../../lib/aws/events.ts';
import { createExtensionRegistry } from '../../../lib/aws/extension-registry.ts';
import { createAsyncInvoker } from '../../../lib/aws/invoker.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import { createWebhookDeliveryLedger } from '../../../lib/aws/webhook-delivery-ledger.ts';
import { createVerificationTokenReader } from '../../../lib/webhooks/verification-secret.ts';
import {
  type FakeEventBridge,
  type FakeLambda,
  fakeEventBridge,
  fakeLambda,
} from '../../support/aws-fakes.ts';
import { type LocalGateway, startGateway } from './events-gateway.ts';
import {
  baseEnvironment,
  type EventsHarness,
  importWithEnvironment,
  SECRET_IDS,
  startEventsHarness,
  VERIFICATION_TOKEN,
} from './events-harness.ts';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');

let harness: EventsHarness;
let events: FakeEventBridge;
let lambda: FakeLambda;
let gateway: LocalGateway;
let failPublishing = false;
let clock = NOW;

beforeAll(async () => {
  harness = await startEventsHarness();
  events = fakeEventBridge({ fail: () => failPublishing });
  lambda = fakeLambda();
  const module = await importWithEnvironment(() => import('../../../functions/webhook.ts'), {
    ...baseEnvironment(harness),
    EVENT_BUS_NAME: 'bus',
  });
  const table = createStateTable({ tableName: harness.tableName, client: harness.dynamo.client });
  const registry = createExtensionRegistry(table);
  await registry.putDiscovered({
    id: '101001',
    type: 'User',
    status: 'Enabled',
    firstSeen: '2026-01-01T00:00:00.000Z',
    lastSeen: '2026-01-01T00:00:00.000Z',
    archived: true,
  });
  const handler = module.createHandler({
    verificationToken: createVerificationTokenReader({
      secretId: SECRET_IDS.webhook,
      client: harness.secrets.client,
    }),
    publisher: createEventPublisher({
      busName: 'bus',
      source: module.WEBHOOK_EVENT_SOURCE,
      client: events.client,
    }),
    includeText: false,
    deliveries: { ledger: createWebhookDeliveryLedger(table), now: () => clock },
    extensions: {
      registry,
      discovery: createAsyncInvoker({ functionName: 'extensions', client: lambda.client }),
    },
  });
  gateway = await startGateway('/webhook', handler);
});

afterAll(async () => {
  await gateway?.stop();
  events?.restore();
  lambda?.restore();
  await harness?.stop();
});

beforeEach(() => {
  events.entries.length = 0;
  lambda.invocations.length = 0;
  failPublishing = false;
  clock = NOW;
});

function delivery(uuid: string, timestamp?: string): string {
  return JSON.stringify({
    uuid,
    event: '/restapi/v1.0/account/400131880008/extension/101001/message-store',
    ...(timestamp === undefined ? {} : { timestamp }),
    subscriptionId: 'subscription-1',
    body: {
      extensionId: '101001',
      changes: [{ type: 'SMS', newCount: 1, updatedCount: 0, newMessageIds: ['42'] }],
    },
  });
}

async function post(body: string) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'verification-token': VERIFICATION_TOKEN },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

describe('webhook delivery guard', () => {
  it('publishes a delivery once however often it is replayed, and starts no archive run', async () => {
    // Prepare
    const body = delivery('replayed-1', '2026-03-01T11:59:30.000Z');

    // Act
    const statuses: number[] = [];
    for (let replay = 0; replay < 21; replay += 1) statuses.push((await post(body)).status);

    // Assess: every answer is 200 (RingCentral never sees a failure), one event, no invocation.
    expect(statuses).toEqual(Array.from({ length: 21 }, () => 200));
    expect(events.entries).toHaveLength(1);
    expect(lambda.invocations).toEqual([]);
  });

  it('refuses a stale, a future and an undated delivery with 400 problem+json, publishing nothing', async () => {
    // Prepare
    const bodies = [
      delivery('stale-1', '2026-03-01T11:54:59.000Z'),
      delivery('future-1', '2026-03-01T12:05:01.000Z'),
      delivery('undated-1'),
    ];

    // Act
    const answers = [];
    for (const body of bodies) answers.push(await post(body));

    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.type).toBe('application/problem+json');
      expect(answer.body?.errors).toEqual([expect.objectContaining({ field: 'timestamp' })]);
      expect(JSON.stringify(answer.body)).not.toMatch(/at \S+\.ts:\d+/);
    }
    expect(events.entries).toEqual([]);
  });

  it('accepts deliveries up to the window either way', async () => {
    // Act
    const early = await post(delivery('edge-early', '2026-03-01T11:55:00.000Z'));
    const late = await post(delivery('edge-late', '2026-03-01T12:05:00.000Z'));

    // Assess
    expect([early.status, late.status]).toEqual([200, 200]);
    expect(events.entries).toHaveLength(2);
  });

  it('admits again a delivery whose processing failed, so that RingCentral retries it', async () => {
    // Prepare
    const body = delivery('retried-1', '2026-03-01T12:00:00.000Z');
    failPublishing = true;

    // Act
    const failed = await post(body);
    failPublishing = false;
    const retried = await post(body);
    const replayed = await post(body);

    // Assess
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect([retried.status, replayed.status]).toEqual([200, 200]);
    expect(events.entries.filter((entry) => entry.Detail?.includes('retried-1'))).toHaveLength(1);
  });
});
