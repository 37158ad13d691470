import { afterEach, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';
import { exactJson, type Harness, harnessPerTest } from './harness.ts';

interface Task {
  id: string;
  status: string;
}

/** Lists the entry names of a zip held in a buffer. */
function zipEntries(zip: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => {
      if (error || !file) return reject(error);
      const names: string[] = [];
      file.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        file.readEntry();
      });
      file.on('end', () => resolve(names));
      file.on('error', reject);
      file.readEntry();
    });
  });
}

describe('local RingCentral export (message-store-report)', () => {
  let harness: Harness;
  const start = harnessPerTest();

  it('moves a task to Completed and serves its archives as zips; at most 2 running', async () => {
    // Prepare (tasks advance on a clock the test moves, so none completes while the three are
    // created, however slow the machine is)
    let clock = Date.now();
    harness = await start({ exportStepMs: 50, now: () => clock });
    const reports = `${harness.emulator.url}/restapi/v1.0/account/~/message-store-report`;
    const create = () =>
      fetch(reports, {
        method: 'POST',
        headers: { ...harness.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ dateFrom: '2000-01-01T00:00:00Z' }),
      });

    // Act
    const first = await create();
    const task = (await first.json()) as Task;
    await create();
    const third = await create();
    let status = task.status;
    for (let attempt = 0; attempt < 40 && status !== 'Completed'; attempt++) {
      clock += 25;
      status = (
        (await (await fetch(`${reports}/${task.id}`, { headers: harness.auth })).json()) as Task
      ).status;
    }
    const archives = (await (
      await fetch(`${reports}/${task.id}/archive`, { headers: harness.auth })
    ).json()) as {
      records: Array<{ uri: string; size: number }>;
    };
    const zip = Buffer.from(
      await (await fetch(archives.records[0]?.uri ?? '', { headers: harness.auth })).arrayBuffer(),
    );

    // Assess
    expect(first.status).toBe(202);
    expect(third.status).toBe(400);
    expect(status).toBe('Completed');
    expect(archives.records.length).toBeGreaterThanOrEqual(2);
    expect(zip.length).toBe(archives.records[0]?.size);
    expect(await zipEntries(zip)).toContain('message-store.json');
  });
});

describe('local RingCentral webhook subscriptions', () => {
  let harness: Harness;
  const start = harnessPerTest();
  let receiver: WebhookReceiver;

  afterEach(async () => {
    await receiver.close();
  });

  function subscribe(address: string) {
    return fetch(`${harness.emulator.url}/restapi/v1.0/subscription`, {
      method: 'POST',
      headers: { ...harness.auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        eventFilters: [
          '/restapi/v1.0/account/~/extension/~/message-store',
          '/restapi/v1.0/account/~/extension/~/message-store/instant?type=SMS',
        ],
        deliveryMode: { transportType: 'WebHook', address, verificationToken: 'secret-token' },
        expiresIn: 3600,
      }),
    });
  }

  it('does the Validation-Token handshake and delivers message events with Verification-Token', async () => {
    // Prepare
    harness = await start();
    receiver = await startWebhookReceiver();
    const address = receiver.url;
    const created = await subscribe(address);
    const subscription = (await created.json()) as { id: string; status: string };

    // Act
    const [message] = harness.emulator.mailbox.receive('101001', {
      type: 'SMS',
      from: { phoneNumber: '+14155550100' },
      to: [{ phoneNumber: '+16505550101' }],
      subject: 'ping',
    });
    await harness.emulator.deliveriesSettled();

    // Assess
    expect(created.status).toBe(200);
    expect(subscription.status).toBe('Active');
    expect(receiver.notifications).toHaveLength(2);
    expect(
      receiver.notifications.every(
        (delivery) => delivery.headers['verification-token'] === 'secret-token',
      ),
    ).toBe(true);
    const events = receiver.notifications.map((delivery) => exactJson(new Response(delivery.body)));
    const bodies = (await Promise.all(events)) as Array<{
      event: string;
      subscriptionId: string;
      body: Record<string, unknown>;
    }>;
    const store = bodies.find((envelope) => envelope.event.endsWith('/message-store'));
    expect(store?.subscriptionId).toBe(subscription.id);
    expect(store?.body).toMatchObject({
      extensionId: '101001',
      changes: [{ type: 'SMS', newCount: 1, updatedCount: 0 }],
    });
    const instant = bodies.find((envelope) => envelope.event.includes('/instant?type=SMS'));
    expect(instant?.body).toMatchObject({ id: message?.id, subject: 'ping' });
  });

  it('fails creation when the webhook does not echo the Validation-Token', async () => {
    // Prepare
    harness = await start();
    receiver = await startWebhookReceiver();
    receiver.setBehaviour('no-echo');
    const address = receiver.url;

    // Act
    const response = await subscribe(address);

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ errorCode: 'SUB-520' }] });
  });

  it('stops deliveries to a blacklisted subscription and reports it as Blacklisted', async () => {
    // Prepare
    harness = await start();
    receiver = await startWebhookReceiver();
    const address = receiver.url;
    const { id } = (await (await subscribe(address)).json()) as { id: string };
    await fetch(`${harness.emulator.url}/__emulator/subscriptions/${id}/blacklist`, {
      method: 'POST',
    });

    // Act
    harness.emulator.mailbox.receive('101001', {
      type: 'Pager',
      from: { extensionNumber: '102' },
      to: [{ extensionNumber: '101' }],
      subject: 'x',
    });
    await harness.emulator.deliveriesSettled();
    const read = await fetch(`${harness.emulator.url}/restapi/v1.0/subscription/${id}`, {
      headers: harness.auth,
    });
    const renew = await fetch(`${harness.emulator.url}/restapi/v1.0/subscription/${id}/renew`, {
      method: 'POST',
      headers: harness.auth,
    });
    const remove = await fetch(`${harness.emulator.url}/restapi/v1.0/subscription/${id}`, {
      method: 'DELETE',
      headers: harness.auth,
    });
    const list = (await (
      await fetch(`${harness.emulator.url}/restapi/v1.0/subscription`, { headers: harness.auth })
    ).json()) as {
      records: unknown[];
    };

    // Assess
    expect(receiver.notifications).toEqual([]);
    expect(await read.json()).toMatchObject({ status: 'Blacklisted' });
    expect(renew.status).toBe(400);
    expect(remove.status).toBe(204);
    expect(list.records).toEqual([]);
  });
});
