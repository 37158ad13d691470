/**
 * Delivery status as events, through the local stack over HTTP: signed sends with a correlation
 * id, the local RingCentral's carrier updates set by hand, its webhook notifications through the
 * gateway to the webhook function, the local bus handing them to message-status, and the
 * `Message Status Changed` events it puts on the bus: one per change, with the caller's
 * correlation id, however often the notification or the check repeats.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageStatusChangedEvent } from '../../../lib/api/message-status-event.ts';
import { problemResponse } from '../../../lib/api/responses.ts';
import type { MessageStatusUpdate } from '../../../local/ringcentral/index.ts';
import {
  type LocalBusEvent,
  type LocalStack,
  startLocalStack,
} from '../../../local/stack/stack.ts';
import { quietSchedule } from '../../support/quiet-schedule.ts';
import { postSignedBySdk } from './signers.ts';
import { waitFor } from './stack-process.ts';

// Each change waits for a notification or, missing one on a busy machine, the minute's poll.
describe('Message Status Changed events in the local stack', { timeout: 240_000 }, () => {
  let stack: LocalStack;
  let dataDir: string;
  const lines: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'local-status-events-'));
    stack = await startLocalStack({
      dataDir,
      apiPort: 0,
      manualMessageStatus: true,
      // Nothing scheduled but the webhook subscription (at start) and the status poll, which
      // takes up a notification that found the check slot taken.
      schedule: quietSchedule({ messageStatusEveryMs: 2_000 }),
      print: (line) => lines.push(line),
    });
    // The handshake must be answered within 3 s; a cold webhook on a busy machine may miss it,
    // and the keeper's next run subscribes with the webhook warm.
    for (let attempt = 0; attempt < 3 && !subscribed(); attempt += 1) {
      await stack.runJob('subscription-keeper');
    }
    expect(subscribed()).toBe(true);
  }, 180_000);

  /** Whether the keeper's last finished run kept the webhook subscription. */
  function subscribed(): boolean {
    const runs = lines.filter((line) => /\] subscription-keeper (?!skipped)/.test(line));
    return /\d+ subscriptions/.test(runs.at(-1) ?? '') && !(runs.at(-1) ?? '').includes('FAILED');
  }

  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** POSTs `body` to `route`, signed by the SDK's signer, with a fresh Idempotency-Key. */
  async function send(route: '/sms' | '/fax', body: string) {
    const { info } = stack;
    return postSignedBySdk(
      {
        url: `${info.apiUrl}${route}`,
        body,
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      },
      { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
    );
  }

  async function sendSms(correlationId: string): Promise<string> {
    const to = stack.info.smsTo ?? expect.unreachable();
    const sent = await send('/sms', JSON.stringify({ to: [to], text: 'Parcel 8', correlationId }));
    expect(sent.status).toBe(202);
    return String(JSON.parse(sent.body).id);
  }

  /** The status events of one message so far. */
  function statusEvents(messageId: string): LocalBusEvent[] {
    return stack
      .events()
      .filter(
        (event) =>
          event['detail-type'] === 'Message Status Changed' &&
          (event.detail as { messageId?: string }).messageId === messageId,
      );
  }

  /** Moves the message as a carrier would, then waits for its `count`th status event. */
  async function carrierUpdate(
    messageId: string,
    update: MessageStatusUpdate,
    count: number,
  ): Promise<LocalBusEvent> {
    const emulator = stack.emulator ?? expect.unreachable();
    expect(emulator.mailbox.setMessageStatus(messageId, update)).toBeDefined();
    // A notification brings it within seconds; the poll (a minute after the send) at the latest.
    return waitFor(() => statusEvents(messageId)[count - 1], 90_000, `event ${count}`);
  }

  it('publishes Queued -> Sent -> Delivered of an SMS with the caller and its correlation id', async () => {
    // Prepare
    const id = await sendSms('order-4711');

    // Act
    const sent = await carrierUpdate(id, { messageStatus: 'Sent' }, 1);
    const delivered = await carrierUpdate(id, { messageStatus: 'Delivered' }, 2);

    // Assess
    for (const event of [sent, delivered]) {
      expect(event.source).toBe('ringcentral-message-automation.sending');
      // The detail is what docs/openapi.json documents (MessageStatusChangedEvent).
      expect(() => messageStatusChangedEvent.parse(event.detail)).not.toThrow();
      expect(event.detail).toMatchObject({
        messageId: id,
        type: 'SMS',
        correlationId: 'order-4711',
        caller: stack.info.callerArn,
      });
    }
    expect(sent.detail).toMatchObject({ previousStatus: 'Queued', messageStatus: 'Sent' });
    expect(delivered.detail).toMatchObject({
      previousStatus: 'Sent',
      messageStatus: 'Delivered',
      smsDeliveryTime: expect.any(String),
    });
  });

  it('publishes a failed SMS with its delivery error code', async () => {
    // Prepare
    const id = await sendSms('order-4712');

    // Act
    const failed = await carrierUpdate(
      id,
      { messageStatus: 'DeliveryFailed', deliveryErrorCode: 'SMS-CAR-411' },
      1,
    );

    // Assess
    expect(failed.detail).toMatchObject({
      previousStatus: 'Queued',
      messageStatus: 'DeliveryFailed',
      deliveryErrorCode: 'SMS-CAR-411',
      correlationId: 'order-4712',
    });
  });

  it('publishes a sent fax with its page count and recipients', async () => {
    // Prepare
    const faxTo = stack.info.faxTo ?? expect.unreachable();
    const document = {
      fileName: 'invoice.txt',
      content: Buffer.from('Invoice 42').toString('base64'),
    };
    const sent = await send(
      '/fax',
      JSON.stringify({ to: [faxTo], documents: [document], correlationId: 'invoice-42' }),
    );
    expect(sent.status).toBe(202);
    const id = String(JSON.parse(sent.body).id);

    // Act
    const event = await carrierUpdate(id, { messageStatus: 'Sent', faxPageCount: 3 }, 1);

    // Assess
    expect(event.detail).toMatchObject({
      type: 'Fax',
      previousStatus: 'Queued',
      messageStatus: 'Sent',
      faxPageCount: 3,
      correlationId: 'invoice-42',
      recipients: [{ phoneNumber: faxTo, messageStatus: 'Sent' }],
    });
  });

  it('publishes no change twice when the notification is delivered again and checks repeat', async () => {
    // Prepare: an SMS at Sent, its event published.
    const id = await sendSms('order-4713');
    await carrierUpdate(id, { messageStatus: 'Sent' }, 1);
    const notification = stack
      .events()
      .findLast((event) => event['detail-type'] === 'RingCentral Message Store Change');
    const bus = new EventBridgeClient({
      endpoint: stack.info.awsServicesEndpoint,
      region: stack.info.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const eventRuns = () => lines.filter((line) => line.includes('message-status (event)'));
    const emptyChecks = () =>
      lines.filter((line) => /message-status.* [1-9]\d* read, 0 changes/.test(line));
    const [eventRunsBefore, emptyChecksBefore] = [eventRuns().length, emptyChecks().length];

    // Act: the webhook's event three times more, and the poll run by hand twice.
    for (let delivery = 0; delivery < 3; delivery += 1) {
      await bus.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: 'local-bus',
              Source: notification?.source,
              DetailType: notification?.['detail-type'],
              Detail: JSON.stringify(notification?.detail),
            },
          ],
        }),
      );
    }
    bus.destroy();
    await stack.runJob('message-status');
    await stack.runJob('message-status');
    await waitFor(
      () =>
        eventRuns().length >= eventRunsBefore + 3 && emptyChecks().length > emptyChecksBefore
          ? true
          : undefined,
      30_000,
      'the checks the notifications asked for, one reading the message again',
    );

    // Assess
    expect(
      statusEvents(id).map((event) => (event.detail as { messageStatus: string }).messageStatus),
    ).toEqual(['Sent']);
    expect(
      lines.filter((line) => line.includes('message-status') && line.includes('FAILED')),
    ).toEqual([]);
  });

  it('refuses a correlationId given as a number with 400 problem+json, sending nothing', async () => {
    // Prepare
    const emulator = stack.emulator ?? expect.unreachable();
    const before = emulator.stats().sent.sms;

    // Act
    const refused = await send(
      '/sms',
      `{"to":["${stack.info.smsTo}"],"text":"Parcel 8","correlationId":4711}`,
    );

    // Assess
    expect(refused.status).toBe(400);
    expect(refused.contentType).toBe('application/problem+json');
    const problem = problemResponse.parse(JSON.parse(refused.body));
    expect(problem.errors?.map((error) => error.field)).toEqual(['correlationId']);
    expect(emulator.stats().sent.sms).toBe(before);
  });
});
