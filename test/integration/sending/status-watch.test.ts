/**
 * The status watch against the local RingCentral (its carrier updates set by hand) and dynalite,
 * on an injected clock: the poll's bounds (polls per message, age, requests per check), one event
 * per change whatever repeats, and a failed publish retried by the next check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSentMessageLedger } from '../../../lib/aws/sent-message-ledger.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import { createStatusWatchStore } from '../../../lib/aws/status-watch-store.ts';
import type { RingCentral } from '../../../lib/ringcentral/index.ts';
import { createJwtTokenSource, createRingCentral } from '../../../lib/ringcentral/index.ts';
import type { SentMessageLedger, StatusWatchStore } from '../../../lib/sending/ports.ts';
import type { MessageStatusChangedDetail } from '../../../lib/sending/status-events.ts';
import {
  checkStatuses,
  STATUS_WATCH_DEFAULTS,
  type StatusCheckDependencies,
} from '../../../lib/sending/status-watch.ts';
import { type RunningEmulator, startEmulator } from '../../../local/ringcentral/index.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

const OWNER = '101001';
const MINUTE = 60_000;
const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const CALLER = 'arn:aws:sts::123456789012:assumed-role/orders-service';

describe('status watch against the local RingCentral and dynalite', () => {
  let emulator: RunningEmulator;
  let dynamo: LocalDynamo;
  let rc: RingCentral;

  beforeAll(async () => {
    [emulator, dynamo] = await Promise.all([
      startEmulator({ messageStatusUpdates: 'manual', rateLimits: { enabled: false } }),
      startDynalite(),
    ]);
    rc = createRingCentral({
      server: emulator.url,
      mediaServer: emulator.mediaUrl,
      tokenSource: createJwtTokenSource({ server: emulator.url, ...emulator.credentials }),
    });
  });

  afterAll(async () => {
    await Promise.all([emulator?.stop(), dynamo?.stop()]);
  });

  /** A fresh table, its ledger and watch, a clock, and the events published. */
  async function watch(options: { failPublishes?: number } = {}) {
    const table = createStateTable({
      tableName: await dynamo.createStateTable(),
      client: dynamo.client,
    });
    const clock = { now: T0 };
    const ledger: SentMessageLedger = createSentMessageLedger(table, () => clock.now);
    const store: StatusWatchStore = createStatusWatchStore(table);
    const published: MessageStatusChangedDetail[] = [];
    let failures = options.failPublishes ?? 0;
    const dependencies: StatusCheckDependencies = {
      store,
      readMessages: (extensionId, ids, callOptions) =>
        rc.messages.getMany(ids, { ...callOptions, extensionId }),
      events: {
        publish: async (entries) => {
          if (failures > 0) {
            failures -= 1;
            throw new Error('EventBridge refused the event');
          }
          published.push(...entries.map((entry) => entry.detail as MessageStatusChangedDetail));
        },
      },
      now: () => clock.now,
    };
    const check = () => checkStatuses(dependencies, { ...STATUS_WATCH_DEFAULTS }, {});
    return { ledger, store, clock, published, check };
  }

  /** An outbound SMS in the local mailbox, recorded as sent by CALLER at the clock's time. */
  async function sent(ledger: SentMessageLedger, correlationId?: string): Promise<string> {
    const message = emulator.mailbox.send(OWNER, {
      type: 'SMS',
      direction: 'Outbound',
      from: { phoneNumber: '+16505550101' },
      to: [{ phoneNumber: '+16505550102', messageStatus: 'Queued' }],
      subject: 'Parcel 8',
      messageStatus: 'Queued',
    });
    await ledger.recordSender({
      messageId: message.id,
      caller: CALLER,
      type: 'SMS',
      extensionId: OWNER,
      messageStatus: 'Queued',
      ...(correlationId === undefined ? {} : { correlationId }),
    });
    return message.id;
  }

  it('polls a message no notification announces 8 times, then forgets it after 3 hours', async () => {
    // Prepare
    const { ledger, store, clock, check } = await watch();
    await sent(ledger);
    const lightBefore = emulator.stats().requestsByGroup.Light;
    const readAtMinutes: number[] = [];
    let expired = 0;

    // Act: a check every 5 minutes for 200 minutes; the message stays Queued.
    for (let minute = 0; minute <= 200; minute += 5) {
      clock.now = T0 + minute * MINUTE;
      const result = await check();
      if (result.read > 0) readAtMinutes.push(minute);
      expired += result.expired;
    }

    // Assess
    // Each poll is due 1, 2, 4, 8, 16, 30, 30, 30 minutes after the one before (here the next
    // check at or after it); the ninth is never made, and past 3 hours the watch ends.
    expect(readAtMinutes).toEqual([5, 10, 15, 25, 45, 75, 105, 135]);
    expect(emulator.stats().requestsByGroup.Light - lightBefore).toBe(8);
    expect(expired).toBe(1);
    expect((await store.snapshot()).messages).toEqual([]);
  });

  it('reads at most two bulk requests of 50 per check and leaves the rest to the next', async () => {
    // Prepare
    const { ledger, clock, check } = await watch();
    await Promise.all(Array.from({ length: 101 }, () => sent(ledger)));
    clock.now = T0 + MINUTE;
    const lightBefore = emulator.stats().requestsByGroup.Light;

    // Act
    const first = await check();
    const second = await check();

    // Assess
    expect(first).toMatchObject({ requests: 2, read: 100, deferred: 1, published: 0 });
    expect(second).toMatchObject({ requests: 1, read: 1, deferred: 0 });
    expect(emulator.stats().requestsByGroup.Light - lightBefore).toBe(3);
  });

  it('publishes each change once, however often notifications and checks repeat or overlap', async () => {
    // Prepare
    const { ledger, store, clock, published, check } = await watch();
    const id = await sent(ledger, 'order-4711');
    clock.now = T0 + 5_000;
    emulator.mailbox.setMessageStatus(id, { messageStatus: 'Sent' });

    // Act: the same notification three times, checks overlapping and repeated.
    for (let delivery = 0; delivery < 3; delivery += 1) await store.requestCheck(OWNER, clock.now);
    await Promise.all([check(), check(), check()]);
    clock.now += 1_000;
    await store.requestCheck(OWNER, clock.now);
    await check();
    emulator.mailbox.setMessageStatus(id, { messageStatus: 'Delivered' });
    clock.now += 1_000;
    await store.requestCheck(OWNER, clock.now);
    await Promise.all([check(), check()]);
    await store.requestCheck(OWNER, clock.now + 1);
    clock.now += 1_000;
    await check();

    // Assess
    expect(published.map((event) => [event.previousStatus, event.messageStatus])).toEqual([
      ['Queued', 'Sent'],
      ['Sent', 'Delivered'],
    ]);
    expect(published[0]).toMatchObject({
      messageId: id,
      type: 'SMS',
      correlationId: 'order-4711',
      caller: CALLER,
      trigger: 'notification',
    });
    expect(published[1]?.smsDeliveryTime).toEqual(expect.any(String));
    expect((await store.snapshot()).messages).toEqual([]);
  });

  it('publishes a change whose event EventBridge refused at the next check, once', async () => {
    // Prepare
    const { ledger, store, clock, published, check } = await watch({ failPublishes: 1 });
    const id = await sent(ledger, 'order-4712');
    emulator.mailbox.setMessageStatus(id, {
      messageStatus: 'DeliveryFailed',
      deliveryErrorCode: 'SMS-CAR-411',
    });
    clock.now = T0 + 5_000;
    await store.requestCheck(OWNER, clock.now);

    // Act
    const refused = await check();
    clock.now += 1_000;
    await store.requestCheck(OWNER, clock.now);
    const retried = await check();

    // Assess
    expect(refused).toMatchObject({ published: 0, unpublished: 1 });
    expect(retried).toMatchObject({ published: 1, ended: 1 });
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      previousStatus: 'Queued',
      messageStatus: 'DeliveryFailed',
      deliveryErrorCode: 'SMS-CAR-411',
    });
  });
});
