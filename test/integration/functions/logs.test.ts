/**
 * DESIGN invariant 8: secrets, tokens and message text never appear in logs. Every line the
 * functions write during a full run (logins, refreshes, a dead refresh token, handshakes,
 * refused and accepted webhook deliveries, subscription upkeep, alerts sent and failing, SMS
 * and pager sends, an upstream failure) is captured at DEBUG level and searched for them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_DETAIL_TYPE } from '../../../lib/alerts/alert-event.ts';
import { createEventPublisher } from '../../../lib/aws/events.ts';
import { createIdempotencyPersistence } from '../../../lib/aws/idempotency.ts';
import { createAsyncInvoker } from '../../../lib/aws/invoker.ts';
import { createRingCentralFromSecrets } from '../../../lib/aws/ringcentral.ts';
import type { Session } from '../../../lib/aws/secrets.ts';
import { createSentMessageLedger } from '../../../lib/aws/sent-message-ledger.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import type { RingCentral, RingCentralHooks } from '../../../lib/ringcentral/index.ts';
import { createVerificationTokenReader } from '../../../lib/webhooks/verification-secret.ts';
import { fakeEventBridge, fakeLambda } from '../../support/aws-fakes.ts';
import {
  eventBridgeEvent,
  httpApiEvent,
  lambdaContext,
  scheduledEvent,
} from '../../support/events.ts';
import { startGateway } from './events-gateway.ts';
import {
  baseEnvironment,
  type EventsHarness,
  importWithEnvironment,
  SECRET_IDS,
  startEventsHarness,
  VERIFICATION_TOKEN,
} from './events-harness.ts';
import { refreshDependencies } from './token-refresh-harness.ts';

const MINUTE = 60_000;
const TEXTS = {
  sms: 'sms-body-7f3a confidential words',
  pager: 'pager-body-91c2 confidential words',
  alert: 'alert-body-5d8e confidential words',
  inbound: 'inbound-body-c4b0 confidential words',
};

let harness: EventsHarness;
const lines: string[] = [];

/** Runs `work` with stdout and stderr captured into `lines`. */
async function capture(work: () => Promise<void>): Promise<void> {
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  const record = (chunk: unknown) => {
    lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return true;
  };
  process.stdout.write = record as typeof process.stdout.write;
  process.stderr.write = record as typeof process.stderr.write;
  try {
    await work();
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

beforeAll(async () => {
  harness = await startEventsHarness();
});

afterAll(async () => {
  await harness?.stop();
});

describe('logs of a full run', () => {
  it('never contain a token, JWT, secret, Authorization value or message text', async () => {
    // Prepare
    const events = fakeEventBridge();
    const lambda = fakeLambda();
    const saved = process.env.POWERTOOLS_LOG_LEVEL;
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    const environment = {
      ...baseEnvironment(harness),
      EVENT_BUS_NAME: 'bus',
      WEBHOOK_URL: 'http://127.0.0.1:9/webhook',
      SMS_FROM: '+16505550101',
      ALERT_RECIPIENTS: JSON.stringify({ sms: ['+16505550111'], pager: ['101002'] }),
    };
    const load = <T>(loader: () => Promise<T>) => importWithEnvironment(loader, environment);
    // One at a time: each import sets and restores the environment.
    const refreshModule = await load(() => import('../../../functions/token-refresh.ts'));
    const webhookModule = await load(() => import('../../../functions/webhook.ts'));
    const keeperModule = await load(() => import('../../../functions/subscription-keeper.ts'));
    const alertModule = await load(() => import('../../../functions/alert.ts'));
    const smsModule = await load(() => import('../../../functions/send-sms.ts'));
    const pagerModule = await load(() => import('../../../functions/send-pager.ts'));
    let client: Promise<RingCentral> | undefined;
    const ringCentral = (hooks: RingCentralHooks) => {
      client ??= createRingCentralFromSecrets({
        store: harness.store,
        credentialsSecretId: SECRET_IDS.credentials,
        sessionSecretId: SECRET_IDS.session,
        hooks,
      });
      return client;
    };
    const persistence = (name: string) =>
      createIdempotencyPersistence({
        tableName: harness.tableName,
        client: harness.dynamo.client,
        functionName: `${name}-${randomUUID()}`,
      });
    const verificationToken = createVerificationTokenReader({
      secretId: SECRET_IDS.webhook,
      client: harness.secrets.client,
    });

    // Act
    await capture(async () => {
      const refresh = (offsetMs: number) =>
        refreshModule.createHandler(
          refreshDependencies(harness, { now: () => Date.now() + offsetMs }),
        );
      await refresh(0)(scheduledEvent(), lambdaContext());
      await refresh(40 * MINUTE)(scheduledEvent(), lambdaContext());
      const session = harness.secrets.value(SECRET_IDS.session) as Session;
      await harness.store.writeSession(SECRET_IDS.session, { ...session, refreshToken: 'dead' });
      await refresh(40 * MINUTE)(scheduledEvent(), lambdaContext());

      const webhook = webhookModule.createHandler({
        verificationToken,
        publisher: createEventPublisher({ busName: 'bus', source: 's', client: events.client }),
        archive: createAsyncInvoker({ functionName: 'archive', client: lambda.client }),
        includeText: false,
      });
      const gateway = await startGateway('/webhook', webhook);
      const keeper = keeperModule.createHandler({
        ringCentral,
        verificationToken,
        registry: {
          async *list() {
            yield {
              id: '101001',
              type: 'User',
              status: 'Enabled',
              firstSeen: '',
              lastSeen: '',
              archived: true,
            };
          },
        },
        filterOptions: { instantSms: true },
        desired: {
          address: gateway.url,
          expiresInSeconds: 86_400,
          renewBeforeSeconds: 3_600,
        },
      });
      const created = await keeper(scheduledEvent(), lambdaContext());
      harness.emulator.mailbox.receive('101001', {
        type: 'SMS',
        from: { phoneNumber: '+16505550199' },
        to: [{ phoneNumber: '+16505550101' }],
        subject: TEXTS.inbound,
      });
      await harness.emulator.deliveriesSettled();
      await webhook(
        httpApiEvent({ path: '/webhook', headers: { 'verification-token': 'wrong' }, body: '{}' }),
        lambdaContext(),
      );
      harness.emulator.subscriptions.blacklist(created.subscriptions[0]?.subscriptionId ?? '');
      await keeper(scheduledEvent(), lambdaContext());
      await gateway.stop();

      const alert = alertModule.createHandler({
        ringCentral,
        eventPersistence: persistence('alert'),
        deliveryPersistence: persistence('alert-delivery'),
        recipients: { sms: ['+16505550111'], pager: ['101002'] },
        templates: {},
        smsFrom: '+16505550101',
      });
      await alert(
        eventBridgeEvent(ALERT_DETAIL_TYPE, { title: 'Disk', message: TEXTS.alert }),
        lambdaContext(),
      );
      await alert(
        eventBridgeEvent(ALERT_DETAIL_TYPE, { message: TEXTS.alert }),
        lambdaContext(),
      ).catch(() => undefined);

      const sms = smsModule.createHandler({
        smsFrom: '+16505550101',
        persistence: persistence('send-sms'),
        ledger: createSentMessageLedger(
          createStateTable({ tableName: harness.tableName, client: harness.dynamo.client }),
        ),
        ringCentral,
      });
      const pager = pagerModule.createHandler({
        persistence: persistence('send-pager'),
        ledger: createSentMessageLedger(
          createStateTable({ tableName: harness.tableName, client: harness.dynamo.client }),
        ),
        ringCentral,
      });
      const post = (handler: typeof sms, path: string, body: object) =>
        handler(
          httpApiEvent({
            path,
            headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
            body,
            iamCaller: 'arn:aws:iam::123456789012:user/caller',
          }),
          lambdaContext(),
        );
      await post(sms, '/sms', { to: ['+16505550199'], text: TEXTS.sms });
      await post(pager, '/pager', { to: [{ extensionNumber: '102' }], text: TEXTS.pager });
      await post(sms, '/sms', { to: ['12'], text: TEXTS.sms });
      harness.emulator.setFaults({ errorRate: 1 });
      await post(sms, '/sms', { to: ['+16505550199'], text: TEXTS.sms });
      harness.emulator.setFaults({});
    });
    events.restore();
    lambda.restore();
    if (saved === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = saved;

    // Assess
    const log = lines.join('');
    const sessions = harness.secrets
      .versions(SECRET_IDS.session)
      .map((version) => JSON.parse(version) as Partial<Session>);
    const secrets = [
      harness.emulator.credentials.jwt,
      harness.emulator.credentials.clientSecret,
      VERIFICATION_TOKEN,
      ...sessions.flatMap((session) => [session.accessToken, session.refreshToken]),
      ...Object.values(TEXTS),
    ].filter((value): value is string => typeof value === 'string' && value.length > 4);
    // The run really happened and was captured, at DEBUG level.
    for (const message of [
      'Token refresh finished',
      'Notification published',
      'Webhook subscriptions in place',
      'Alert delivered',
      'RingCentral response',
    ]) {
      expect(log).toContain(message);
    }
    expect(sessions.length).toBeGreaterThanOrEqual(4);
    expect(secrets.filter((secret) => log.includes(secret))).toEqual([]);
    expect(log).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
    expect(log).not.toMatch(/\b(Bearer|Basic) [\w\-.~+/=]{8,}/);
    expect(log).not.toContain('confidential');
  });
});
