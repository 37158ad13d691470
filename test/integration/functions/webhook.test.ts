import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEventPublisher } from '../../../lib/aws/events.ts';
import { createExtensionRegistry } from '../../../lib/aws/extension-registry.ts';
import { createAsyncInvoker } from '../../../lib/aws/invoker.ts';
import { createSessionTokenSource } from '../../../lib/aws/secrets.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import type { ExtensionRegistry } from '../../../lib/extensions/ports.ts';
import { createRingCentral } from '../../../lib/ringcentral/index.ts';
import { NotificationDetailType } from '../../../lib/webhooks/notification.ts';
import { createVerificationTokenReader } from '../../../lib/webhooks/verification-secret.ts';
import {
  type FakeEventBridge,
  type FakeLambda,
  fakeEventBridge,
  fakeLambda,
} from '../../support/aws-fakes.ts';
import { httpApiEvent, lambdaContext } from '../../support/events.ts';
import { type LocalGateway, startGateway } from './events-gateway.ts';
import {
  baseEnvironment,
  type EventsHarness,
  importWithEnvironment,
  SECRET_IDS,
  startEventsHarness,
  VERIFICATION_TOKEN,
} from './events-harness.ts';

type Module = typeof import('../../../functions/webhook.ts');

let harness: EventsHarness;
let module: Module;
let events: FakeEventBridge;
let lambda: FakeLambda;
let gateway: LocalGateway;
let compared: Array<[number, number]>;
let handler: ReturnType<Module['createHandler']>;
let registry: ExtensionRegistry;

beforeAll(async () => {
  harness = await startEventsHarness({ session: true });
  events = fakeEventBridge();
  lambda = fakeLambda();
  module = await importWithEnvironment(() => import('../../../functions/webhook.ts'), {
    ...baseEnvironment(harness),
    EVENT_BUS_NAME: 'bus',
    ARCHIVE_FUNCTION_NAME: 'archive',
  });
  registry = createExtensionRegistry(
    createStateTable({ tableName: harness.tableName, client: harness.dynamo.client }),
  );
  // The mailbox the deliveries come from is registered, as discovery would have done.
  await registry.putDiscovered({
    id: '101001',
    type: 'User',
    status: 'Enabled',
    firstSeen: '2026-01-01T00:00:00.000Z',
    lastSeen: '2026-01-01T00:00:00.000Z',
    archived: true,
  });
  handler = module.createHandler({
    verificationToken: createVerificationTokenReader({
      secretId: SECRET_IDS.webhook,
      client: harness.secrets.client,
    }),
    publisher: createEventPublisher({
      busName: 'bus',
      source: module.WEBHOOK_EVENT_SOURCE,
      client: events.client,
    }),
    archive: createAsyncInvoker({ functionName: 'archive', client: lambda.client }),
    includeText: false,
    extensions: {
      registry,
      discovery: createAsyncInvoker({ functionName: 'extensions', client: lambda.client }),
    },
    compare: (a, b) => {
      compared.push([a.byteLength, b.byteLength]);
      return timingSafeEqual(a, b);
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
  compared = [];
});

const delivery = JSON.stringify({
  uuid: 'notification-1',
  event: '/restapi/v1.0/account/400131880008/extension/101001/message-store',
  timestamp: '2026-03-01T12:00:00.000Z',
  subscriptionId: 'subscription-1',
  ownerId: '101001',
  body: {
    extensionId: '101001',
    changes: [{ type: 'SMS', newCount: 1, updatedCount: 0, newMessageIds: ['42'] }],
  },
});

function call(headers: Record<string, string>, body?: string) {
  return handler(
    httpApiEvent({
      path: '/webhook',
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body }),
    }),
    lambdaContext({ functionName: 'webhook' }),
  ) as Promise<APIGatewayProxyStructuredResultV2>;
}

describe('webhook', () => {
  it('answers the handshake by echoing Validation-Token, reading no secret, publishing nothing', async () => {
    // Prepare
    const reads = harness.secrets.getCount(SECRET_IDS.webhook);
    const started = performance.now();

    // Act
    const response = await call({ 'validation-token': 'abc-123_token' });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['validation-token']).toBe('abc-123_token');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(harness.secrets.getCount(SECRET_IDS.webhook)).toBe(reads);
    expect(events.entries).toHaveLength(0);
  });

  it('refuses a delivery without Verification-Token with 401 and publishes nothing', async () => {
    // Prepare
    const headers = {};

    // Act
    const response = await call(headers, delivery);

    // Assess
    expect(response.statusCode).toBe(401);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(events.entries).toHaveLength(0);
    expect(lambda.invocations).toHaveLength(0);
  });

  it('refuses a wrong token with 403, comparing equal-length digests in constant time', async () => {
    // Prepare
    const tokens = ['short', `${VERIFICATION_TOKEN}x`, VERIFICATION_TOKEN.replace(/.$/, '?')];

    // Act
    const responses = await Promise.all(
      tokens.map((token) => call({ 'verification-token': token }, delivery)),
    );

    // Assess
    expect(responses.map((response) => response.statusCode)).toEqual([403, 403, 403]);
    expect(compared).toHaveLength(3);
    for (const [a, b] of compared) expect(a).toBe(b);
    expect(events.entries).toHaveLength(0);
    expect(lambda.invocations).toHaveLength(0);
  });

  it('publishes one summary event and hands the new ids to the archive function', async () => {
    // Prepare
    const headers = { 'verification-token': VERIFICATION_TOKEN };

    // Act
    const response = await call(headers, delivery);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(events.entries).toHaveLength(1);
    expect(events.entries[0]).toMatchObject({
      EventBusName: 'bus',
      Source: module.WEBHOOK_EVENT_SOURCE,
      DetailType: NotificationDetailType.messageStoreChange,
    });
    expect(lambda.invocations).toEqual([
      { functionName: 'archive', payload: { extensionId: '101001', messageIds: ['42'] } },
    ]);
  });

  it('marks the extension changed in the registry, keeping the earliest change', async () => {
    // Prepare: a later change is already marked.
    await registry.markChanged('101001', '2026-03-01T13:00:00.000Z');
    const headers = { 'verification-token': VERIFICATION_TOKEN };

    // Act
    const response = await call(headers, delivery);

    // Assess
    expect(response.statusCode).toBe(200);
    expect((await registry.get('101001'))?.changedAt).toBe('2026-03-01T12:00:00.000Z');
    expect(lambda.invocations.map((invocation) => invocation.functionName)).toEqual(['archive']);
  });

  it('starts discovery on an extension-list event and on a mailbox the registry does not know', async () => {
    // Prepare
    const headers = { 'verification-token': VERIFICATION_TOKEN };
    const listEvent = JSON.stringify({
      uuid: 'notification-2',
      event: '/restapi/v1.0/account/400131880008/extension',
      subscriptionId: 'subscription-1',
      body: { extensions: [{ extensionId: '101099', eventType: 'Create' }] },
    });
    const unknownMailbox = delivery.replaceAll('101001', '101098');

    // Act
    const responses = [await call(headers, listEvent), await call(headers, unknownMailbox)];

    // Assess
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200]);
    expect(lambda.invocations).toEqual([
      { functionName: 'extensions', payload: { source: 'webhook' } },
      { functionName: 'archive', payload: { extensionId: '101098', messageIds: ['42'] } },
      { functionName: 'extensions', payload: { source: 'webhook' } },
    ]);
    expect(await registry.get('101098')).toBeUndefined();
  });

  it('answers 400 problem+json to a verified body that is not a notification', async () => {
    // Prepare
    const headers = { 'verification-token': VERIFICATION_TOKEN };

    // Act
    const response = await call(headers, '{"hello":"world"}');

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({ status: 400, errors: [{}] });
    expect(events.entries).toHaveLength(0);
  });

  it('receives a real subscription: handshake on creation, then an inbound SMS end to end', async () => {
    // Prepare: subscribe the gateway's URL in the local RingCentral (it performs the handshake).
    const client = createRingCentral({
      server: harness.emulator.url,
      tokenSource: createSessionTokenSource(harness.store, SECRET_IDS.session),
    });
    const subscription = await client.subscriptions.create({
      eventFilters: [
        '/restapi/v1.0/account/~/extension/~/message-store',
        '/restapi/v1.0/account/~/extension/~/message-store/instant?type=SMS',
      ],
      deliveryMode: {
        transportType: 'WebHook',
        address: gateway.url,
        verificationToken: VERIFICATION_TOKEN,
      },
      expiresIn: 3600,
    });

    // Act
    const [message] = harness.emulator.mailbox.receive('101001', {
      type: 'SMS',
      from: { phoneNumber: '+16505550199' },
      to: [{ phoneNumber: '+16505550101' }],
      subject: 'the confidential message text',
    });
    await harness.emulator.deliveriesSettled();

    // Assess
    expect(subscription.status).toBe('Active');
    const types = events.entries.map((entry) => entry.DetailType).sort();
    expect(types).toEqual([
      NotificationDetailType.instantMessage,
      NotificationDetailType.messageStoreChange,
    ]);
    expect(events.entries.map((entry) => entry.Detail).join('\n')).not.toContain('confidential');
    expect(lambda.invocations).toEqual([
      { functionName: 'archive', payload: { extensionId: '101001', messageIds: [message?.id] } },
    ]);
    await client.subscriptions.delete(subscription.id);
  });

  it('answers 5,000 random and malformed requests with 200 or a 4xx problem, publishing nothing', async () => {
    // Prepare: a quiet handler (5,000 log lines would only slow the run).
    const saved = process.env.POWERTOOLS_LOG_LEVEL;
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    const quiet = module.createHandler({
      verificationToken: async () => VERIFICATION_TOKEN,
      publisher: createEventPublisher({ busName: 'bus', source: 'fuzz', client: events.client }),
      archive: createAsyncInvoker({ functionName: 'archive', client: lambda.client }),
      includeText: false,
    });
    if (saved === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = saved;
    const token = fc.oneof(
      fc.constant(VERIFICATION_TOKEN),
      fc.string({ maxLength: 80 }),
      fc.constant(VERIFICATION_TOKEN.slice(0, -1)),
    );
    const headers = fc.record(
      {
        'verification-token': token,
        'validation-token': fc.string({ maxLength: 600 }),
        'content-type': fc.constantFrom('application/json', 'text/plain', '', 'application/xml'),
        'x-random': fc.string({ maxLength: 40 }),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.json({ maxDepth: 3 }),
      fc.jsonValue({ maxDepth: 3 }).map((value) =>
        JSON.stringify({
          uuid: 'u',
          event: '/restapi/v1.0/account/1/extension/2/message-store',
          subscriptionId: 's',
          body: value,
        }),
      ),
      fc.constant(undefined),
    );
    const statuses = new Set<number>();

    // Act
    await fc.assert(
      fc.asyncProperty(headers, body, fc.boolean(), async (requestHeaders, requestBody, base64) => {
        const encoded =
          requestBody !== undefined && base64
            ? Buffer.from(requestBody).toString('base64')
            : requestBody;
        const response = (await quiet(
          httpApiEvent({
            path: '/webhook',
            headers: requestHeaders,
            ...(encoded === undefined ? {} : { body: encoded, isBase64Encoded: base64 }),
          }),
          lambdaContext({ functionName: 'webhook' }),
        )) as APIGatewayProxyStructuredResultV2;
        const status = response.statusCode ?? 0;
        statuses.add(status);

        // Assess (per request)
        expect([200, 400, 401, 403, 413]).toContain(status);
        if (status !== 200) {
          expect(response.headers?.['content-type']).toBe('application/problem+json');
          expect(JSON.parse(response.body ?? '{}')).toMatchObject({ status });
        }
      }),
      { numRuns: 5000 },
    );

    // Assess
    expect(events.entries).toHaveLength(0);
    expect(lambda.invocations).toHaveLength(0);
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 400, 401, 403]));
  });
});
