import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SubscriptionError, Subscriptions } from '../../../local/ringcentral/subscriptions.ts';
import { loadRingCentralContract } from '../../support/contract-deviations.ts';
import type { Contract } from '../../support/openapi-contract.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';

const MESSAGE_STORE_FILTER = '/restapi/v1.0/account/~/extension/~/message-store';
const OWNER = { accountId: '400142200026', extensionId: '101001' };
const BASE_URL = 'http://127.0.0.1:1';

/** A clock the test moves by hand, so expiry needs no waiting. */
function manualClock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

async function rejection(promise: Promise<unknown>): Promise<SubscriptionError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof SubscriptionError))
    throw new Error(`expected a SubscriptionError, got ${error}`);
  return error;
}

describe('Subscriptions', () => {
  let receiver: WebhookReceiver;

  let contract: Contract;

  beforeAll(async () => {
    contract = await loadRingCentralContract();
  });

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });

  afterEach(async () => {
    await receiver.close();
  });

  function createRequest(extra: Record<string, unknown> = {}) {
    return {
      eventFilters: [MESSAGE_STORE_FILTER],
      deliveryMode: { transportType: 'WebHook', address: receiver.url, verificationToken: 'vt-1' },
      ...extra,
    };
  }

  it('creates a subscription after the Validation-Token handshake, shaped as SubscriptionInfo', async () => {
    // Prepare
    const clock = manualClock();
    const subscriptions = new Subscriptions({ baseUrl: () => BASE_URL, now: clock.now });

    // Act
    const created = await subscriptions.create('user-app', createRequest(), OWNER);

    // Assess
    expect(receiver.handshakes).toHaveLength(1);
    expect(contract.validateSchema('SubscriptionInfo', created)).toEqual([]);
    expect(created.status).toBe('Active');
    expect(created.uri).toBe(`${BASE_URL}/restapi/v1.0/subscription/${created.id}`);
    expect(created.eventFilters).toEqual([
      `/restapi/v1.0/account/${OWNER.accountId}/extension/${OWNER.extensionId}/message-store`,
    ]);
    expect(Date.parse(created.expirationTime) - clock.now()).toBe(604_800 * 1000);
    expect(created.deliveryMode).not.toHaveProperty('verificationToken');
    expect(subscriptions.get('user-app', created.id)).toEqual(created);
    expect(subscriptions.get('other-user-app', created.id)).toBeUndefined();
    expect(subscriptions.list('user-app').map((info) => info.id)).toEqual([created.id]);
  });

  it.each([
    ['wrong-echo', 'SUB-520'],
    ['no-echo', 'SUB-520'],
    ['status-500', 'SUB-525'],
    ['too-slow', 'SUB-521'],
  ] as const)('refuses creation when the handshake is %s (%s)', async (behaviour, errorCode) => {
    // Prepare: a too-slow receiver answers only when it closes, so its timeout need only outlast
    // the handshake's way to it; the others answer at once, with a timeout no load can reach
    const handshakeTimeoutMs = behaviour === 'too-slow' ? 1_000 : 60_000;
    const subscriptions = new Subscriptions({ baseUrl: () => BASE_URL, handshakeTimeoutMs });
    receiver.setBehaviour(behaviour);

    // Act
    const error = await rejection(subscriptions.create('user-app', createRequest()));

    // Assess
    expect(error.status).toBe(400);
    expect(error.errorCode).toBe(errorCode);
    expect(receiver.handshakes).toHaveLength(1);
    expect(subscriptions.list('user-app')).toEqual([]);
  });

  it('refuses an unreachable address and invalid requests with 400', async () => {
    // Prepare: a closed port refuses at once; the timeout only bounds a hung connect
    const subscriptions = new Subscriptions({
      baseUrl: () => BASE_URL,
      handshakeTimeoutMs: 60_000,
    });
    const closedUrl = receiver.url;
    await receiver.close();
    receiver = await startWebhookReceiver();

    // Act
    const unreachable = await rejection(
      subscriptions.create(
        'u',
        createRequest({ deliveryMode: { transportType: 'WebHook', address: closedUrl } }),
      ),
    );
    const noFilters = await rejection(
      subscriptions.create('u', createRequest({ eventFilters: [] })),
    );
    const tooLong = await rejection(
      subscriptions.create('u', createRequest({ expiresIn: 315_360_001 })),
    );
    const webSocket = await rejection(
      subscriptions.create('u', createRequest({ deliveryMode: { transportType: 'WebSocket' } })),
    );

    // Assess
    expect(unreachable.errorCode).toBe('SUB-521');
    expect([noFilters.parameterName, tooLong.parameterName, webSocket.parameterName]).toEqual([
      'eventFilters',
      'expiresIn',
      'deliveryMode.transportType',
    ]);
    expect(new Set([noFilters.errorCode, tooLong.errorCode, webSocket.errorCode])).toEqual(
      new Set(['CMN-101']),
    );
    expect(receiver.handshakes).toHaveLength(0);
  });

  it('allows at most maxPerOwner subscriptions per owner (SUB-505)', async () => {
    // Prepare
    const subscriptions = new Subscriptions({ baseUrl: () => BASE_URL });
    const created = await Promise.all(
      Array.from({ length: 30 }, () => subscriptions.create('user-app', createRequest())),
    );

    // Act
    const overLimit = await rejection(subscriptions.create('user-app', createRequest()));
    const otherOwner = await subscriptions.create('other-user-app', createRequest());
    subscriptions.delete('user-app', created[0]!.id);
    const afterDelete = await subscriptions.create('user-app', createRequest());

    // Assess
    expect(overLimit.status).toBe(400);
    expect(overLimit.errorCode).toBe('SUB-505');
    expect(otherOwner.status).toBe('Active');
    expect(afterDelete.status).toBe('Active');
    expect(subscriptions.list('user-app')).toHaveLength(30);
  });

  it('renews from now with the requested lifetime; expires when not renewed', async () => {
    // Prepare
    const clock = manualClock();
    const subscriptions = new Subscriptions({ baseUrl: () => BASE_URL, now: clock.now });
    const created = await subscriptions.create('user-app', createRequest({ expiresIn: 3600 }));
    clock.advance(3000 * 1000);

    // Act
    const renewed = subscriptions.renew('user-app', created.id);
    clock.advance(3000 * 1000);
    const stillThere = subscriptions.get('user-app', created.id);
    clock.advance(601 * 1000);
    const afterExpiry = subscriptions.get('user-app', created.id);

    // Assess
    expect(Date.parse(renewed.expirationTime)).toBe(
      Date.parse(created.expirationTime) + 3000 * 1000,
    );
    expect(renewed.expiresIn).toBe(3600);
    expect(stillThere?.status).toBe('Active');
    expect(afterExpiry).toBeUndefined();
    expect(subscriptions.list('user-app')).toEqual([]);
    expect(() => subscriptions.renew('user-app', created.id)).toThrow(SubscriptionError);
  });

  it('updates filters and lifetime with PUT semantics; an empty body renews', async () => {
    // Prepare
    const clock = manualClock();
    const subscriptions = new Subscriptions({ baseUrl: () => BASE_URL, now: clock.now });
    const created = await subscriptions.create('user-app', createRequest(), OWNER);
    clock.advance(10_000);

    // Act
    const updated = await subscriptions.update('user-app', created.id, {
      eventFilters: [`${MESSAGE_STORE_FILTER}/instant?type=SMS`],
      expiresIn: 1200,
    });
    clock.advance(10_000);
    const renewed = await subscriptions.update('user-app', created.id, undefined);

    // Assess
    expect(updated.eventFilters).toEqual([
      `/restapi/v1.0/account/${OWNER.accountId}/extension/${OWNER.extensionId}/message-store/instant?type=SMS`,
    ]);
    expect(Date.parse(updated.expirationTime)).toBe(clock.now() - 10_000 + 1200 * 1000);
    expect(Date.parse(renewed.expirationTime)).toBe(clock.now() + 1200 * 1000);
  });

  it('publishes to matching Active subscriptions with the envelope and Verification-Token', async () => {
    // Prepare
    const subscriptions = new Subscriptions({ baseUrl: () => BASE_URL });
    const mine = await subscriptions.create('a', createRequest(), OWNER);
    await subscriptions.create(
      'b',
      createRequest({ deliveryMode: { transportType: 'WebHook', address: receiver.url } }),
      { ...OWNER, extensionId: '101002' },
    );
    const instant = await subscriptions.create(
      'c',
      createRequest({ eventFilters: [`${MESSAGE_STORE_FILTER}/instant?type=SMS`] }),
      OWNER,
    );
    const eventPath = `/restapi/v1.0/account/${OWNER.accountId}/extension/${OWNER.extensionId}/message-store`;
    const messageId = '9223372036854775001';

    // Act
    await subscriptions.publish(
      eventPath,
      OWNER.extensionId,
      `{"extensionId":${OWNER.extensionId},"lastUpdated":"2026-01-01T00:00:00.000Z","changes":[{"type":"SMS","newCount":1,"updatedCount":0,"newMessageIds":[${messageId}]}]}`,
    );
    await subscriptions.publish(`${eventPath}/instant?type=SMS`, OWNER.extensionId, { id: 'x' });

    // Assess
    expect(receiver.notifications).toHaveLength(2);
    const [change, sms] = receiver.notifications;
    expect(change!.headers['verification-token']).toBe('vt-1');
    expect(change!.headers['content-type']).toMatch(/^application\/json/);
    const envelope = JSON.parse(change!.body, (_key, value, context?: { source?: string }) =>
      typeof value === 'number' && context?.source ? context.source : value,
    );
    expect(envelope).toMatchObject({
      event: eventPath,
      subscriptionId: mine.id,
      ownerId: OWNER.extensionId,
      body: { changes: [{ newMessageIds: [messageId] }] },
    });
    expect(envelope.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(envelope.timestamp))).toBe(false);
    expect(JSON.parse(sms!.body)).toMatchObject({ subscriptionId: instant.id, body: { id: 'x' } });
  });

  it('delivers nothing to a Blacklisted subscription, which can only be deleted', async () => {
    // Prepare
    const subscriptions = new Subscriptions({ baseUrl: () => BASE_URL });
    const created = await subscriptions.create('user-app', createRequest());
    const eventPath = '/restapi/v1.0/account/1/extension/2/message-store';
    await subscriptions.publish(eventPath, '2', { changes: [] });

    // Act
    subscriptions.blacklist(created.id);
    await subscriptions.publish(eventPath, '2', { changes: [] });
    const info = subscriptions.get('user-app', created.id);
    const renewError = (() => {
      try {
        subscriptions.renew('user-app', created.id);
      } catch (error) {
        return error as SubscriptionError;
      }
      return undefined;
    })();
    const deleted = subscriptions.delete('user-app', created.id);

    // Assess
    expect(receiver.notifications).toHaveLength(1);
    expect(info?.status).toBe('Blacklisted');
    expect(contract.validateSchema('SubscriptionInfo', info)).toEqual([]);
    expect(renewError?.errorCode).toBe('SUB-528');
    expect(deleted).toBe(true);
    expect(subscriptions.get('user-app', created.id)).toBeUndefined();
  });
});
