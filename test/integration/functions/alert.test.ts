import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALARM_DETAIL_TYPE, ALERT_DETAIL_TYPE } from '../../../lib/alerts/alert-event.ts';
import { createIdempotencyPersistence } from '../../../lib/aws/idempotency.ts';
import { createRingCentralFromSecrets } from '../../../lib/aws/ringcentral.ts';
import type { RingCentral } from '../../../lib/ringcentral/index.ts';
import { DeadlineExceededError } from '../../../lib/ringcentral/index.ts';
import { ConfigError } from '../../../lib/runtime/config.ts';
import { eventBridgeEvent, lambdaContext } from '../../support/events.ts';
import {
  baseEnvironment,
  type EventsHarness,
  importWithEnvironment,
  SECRET_IDS,
  startEventsHarness,
} from './events-harness.ts';

type Module = typeof import('../../../functions/alert.ts');

const SMS_FROM = '+16505550101';
const RECIPIENTS = { sms: ['+16505550111', '+16505550112'], pager: ['101002'] };

let harness: EventsHarness;
let module: Module;
let client: RingCentral;

beforeAll(async () => {
  harness = await startEventsHarness({ session: true });
  module = await importWithEnvironment(() => import('../../../functions/alert.ts'), {
    ...baseEnvironment(harness),
    SMS_FROM,
    ALERT_RECIPIENTS: JSON.stringify(RECIPIENTS),
  });
  client = await createRingCentralFromSecrets({
    store: harness.store,
    credentialsSecretId: SECRET_IDS.credentials,
    sessionSecretId: SECRET_IDS.session,
  });
});

afterAll(async () => {
  await harness?.stop();
});

function alertHandler(overrides: Partial<Parameters<Module['createHandler']>[0]> = {}) {
  const suffix = randomUUID();
  return module.createHandler({
    ringCentral: async () => client,
    eventPersistence: createIdempotencyPersistence({
      tableName: harness.tableName,
      client: harness.dynamo.client,
      functionName: `alert-${suffix}`,
    }),
    deliveryPersistence: createIdempotencyPersistence({
      tableName: harness.tableName,
      client: harness.dynamo.client,
      functionName: `alert-delivery-${suffix}`,
    }),
    recipients: RECIPIENTS,
    templates: { alarm: { sms: 'ALARM {{alarmName}} is {{state}}: {{reason}}' } },
    smsFrom: SMS_FROM,
    ...overrides,
  });
}

const sent = () => ({ ...harness.emulator.stats().sent });

function outboundTexts(type: 'SMS' | 'Pager'): string[] {
  return harness.emulator.mailbox
    .messages('101001')
    .filter((message) => message.type === type && message.direction === 'Outbound')
    .map((message) => message.subject ?? '');
}

describe('alert', () => {
  it('sends an Alert as one SMS per number and one pager message, rendered', async () => {
    // Prepare
    const before = sent();
    const event = eventBridgeEvent(ALERT_DETAIL_TYPE, {
      severity: 'critical',
      title: 'Archive stalled',
      message: 'No sync for 2 hours',
      source: 'archive',
    });

    // Act
    const result = await alertHandler()(event, lambdaContext());

    // Assess
    const after = sent();
    expect([after.sms - before.sms, after.pager - before.pager]).toEqual([2, 1]);
    expect(result.deliveries.map((delivery) => delivery.channel).sort()).toEqual([
      'pager',
      'sms',
      'sms',
    ]);
    expect(outboundTexts('SMS')[0]).toMatch(/^\[CRITICAL\] Archive stalled: No sync for 2 hours/);
    expect(outboundTexts('Pager')[0]).toContain('Source: archive');
  });

  it('sends once per event id: a repeat returns the stored result and sends nothing', async () => {
    // Prepare
    const handler = alertHandler();
    const event = eventBridgeEvent(ALERT_DETAIL_TYPE, { title: 'Once', message: 'only once' });
    const first = await handler(event, lambdaContext());
    const before = sent();

    // Act
    const second = await handler(event, lambdaContext());

    // Assess
    expect(sent()).toEqual(before);
    expect(second).toEqual(first);
  });

  it('sends once when the same event arrives five times at once', async () => {
    // Prepare
    const handler = alertHandler();
    const event = eventBridgeEvent(ALERT_DETAIL_TYPE, {
      title: 'Duplicate',
      message: 'delivered five times',
      channels: ['pager'],
    });
    const before = sent();

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => handler(event, lambdaContext())),
    );

    // Assess
    expect(sent().pager - before.pager).toBe(1);
    expect(outcomes.some((outcome) => outcome.status === 'fulfilled')).toBe(true);
  });

  it('renders a CloudWatch alarm state change with the configured template', async () => {
    // Prepare
    const event = eventBridgeEvent(
      ALARM_DETAIL_TYPE,
      {
        alarmName: 'SendFailures',
        state: { value: 'ALARM', reason: 'Threshold crossed', timestamp: '2026-03-01T12:00:00Z' },
        previousState: { value: 'OK', reason: 'fine' },
        configuration: { description: 'Sends failing' },
      },
      { source: 'aws.cloudwatch' },
    );

    // Act
    await alertHandler()(event, lambdaContext());

    // Assess
    expect(outboundTexts('SMS')[0]).toBe('ALARM SendFailures is ALARM: Threshold crossed');
    expect(outboundTexts('Pager')[0]).toContain('CloudWatch alarm SendFailures is ALARM (was OK)');
  });

  it('fails an invalid event with a reason and sends nothing', async () => {
    // Prepare
    const before = sent();
    const badDetail = eventBridgeEvent(ALERT_DETAIL_TYPE, { message: 'no title' });
    const badType = eventBridgeEvent('Something Else', {});

    // Act
    const attempts = [
      alertHandler()(badDetail, lambdaContext()),
      alertHandler()(badType, lambdaContext()),
      alertHandler()({ hello: 'world' }, lambdaContext()),
    ];

    // Assess
    await expect(attempts[0]).rejects.toThrow('detail.title');
    await expect(attempts[1]).rejects.toThrow('unsupported detail-type');
    await expect(attempts[2]).rejects.toThrow(/Invalid event/);
    expect(sent()).toEqual(before);
  });

  it('on a retry after a partial failure, sends only what did not go out', async () => {
    // Prepare: the pager recipient does not exist, so the pager delivery fails every time.
    const handler = alertHandler({ recipients: { sms: ['+16505550113'], pager: ['999999'] } });
    const event = eventBridgeEvent(ALERT_DETAIL_TYPE, { title: 'Partial', message: 'one fails' });
    await expect(handler(event, lambdaContext())).rejects.toThrow(/1 of 2 alert deliveries failed/);
    const before = sent();

    // Act
    const retry = handler(event, lambdaContext());

    // Assess
    await expect(retry).rejects.toThrow(/1 of 2 alert deliveries failed/);
    expect(sent().sms).toBe(before.sms);
  });

  it('stops at the deadline instead of waiting out a rate-limit penalty', async () => {
    // Prepare: every request answers 429 with a Retry-After longer than the invocation, so the
    // first 429 decides however slow the machine (a 1 s one could put a retry in flight at the
    // deadline, which would end as aborted, not as a deadline)
    harness.emulator.setFaults({ tooManyRequests: true, stormRetryAfterSeconds: 120 });
    // Room for a starved machine's own work (state table, idempotency) in the invocation; the
    // bound that matters is the 120 s penalty it must not wait out
    const INVOCATION_MS = 20_000;
    const event = eventBridgeEvent(ALERT_DETAIL_TYPE, { title: 'Late', message: 'limited' });
    const started = Date.now();

    // Act
    const attempt = alertHandler()(event, lambdaContext({ remainingMs: INVOCATION_MS }));

    // Assess: back within the invocation, long before the penalty ends
    const error = await attempt.catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(INVOCATION_MS);
    expect((error as Error).cause).toBeInstanceOf(DeadlineExceededError);
    harness.emulator.setFaults({});
  });

  it.each([
    ['ALERT_RECIPIENTS', { ALERT_RECIPIENTS: '{"sms":["12"]}' }],
    ['ALERT_RECIPIENTS', { ALERT_RECIPIENTS: 'not json' }],
    ['SMS_FROM', { SMS_FROM: undefined }],
    ['ALERT_TEMPLATES', { ALERT_TEMPLATES: '{"alert":{"fax":"x"}}' }],
  ])('refuses a cold start whose %s is wrong, naming the variable', (variable, change) => {
    // Prepare
    const environment: NodeJS.ProcessEnv = {
      ...baseEnvironment(harness),
      SMS_FROM,
      ALERT_RECIPIENTS: JSON.stringify(RECIPIENTS),
      ...change,
    };

    // Act
    const attempt = () => module.dependenciesFromEnvironment(environment);

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(variable);
  });
});
