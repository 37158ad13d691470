import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  JwtTokenSource,
  MessageRecord,
  NonEmptyArray,
  RingCentral,
} from '../../../lib/ringcentral/index.ts';
import {
  createJwtTokenSource,
  createRingCentral,
  NotFoundError,
  SyncTokenInvalidError,
} from '../../../lib/ringcentral/index.ts';
import type { RunningEmulator } from '../../../local/ringcentral/index.ts';
import { startEmulator } from '../../../local/ringcentral/index.ts';

const YEAR_AGO = new Date(Date.now() - 400 * 24 * 3600 * 1000).toISOString();

function maxSize(message: { attachments: ReadonlyArray<{ size: number }> }): number {
  return Math.max(0, ...message.attachments.map((attachment) => attachment.size));
}

async function sha256(stream: Readable): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: hash.digest('hex'), size };
}

describe('the client against the local RingCentral', () => {
  let emulator: RunningEmulator;
  let tokens: JwtTokenSource;
  let rc: RingCentral;
  let webhook: Server;
  let webhookUrl: string;
  let rateLimited = 0;

  beforeAll(async () => {
    emulator = await startEmulator({
      mailbox: { seed: 7, extensions: 2, messagesPerExtension: 40, maxAttachmentBytes: 200_000 },
      rateLimits: { windowScale: 0.05 },
      exportStepMs: 20,
    });
    tokens = createJwtTokenSource({ server: emulator.url, ...emulator.credentials });
    rc = createRingCentral({
      server: emulator.url,
      mediaServer: emulator.mediaUrl,
      tokenSource: tokens,
      limits: { backoff: { baseMs: 50, maxMs: 200 } },
      hooks: { onRateLimited: () => (rateLimited += 1) },
    });
    webhook = createServer((request, response) => {
      const token = request.headers['validation-token'];
      if (typeof token === 'string') response.setHeader('validation-token', token);
      response.writeHead(200);
      response.end();
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/webhook`;
  });

  afterAll(async () => {
    await emulator?.stop();
    webhook?.closeAllConnections();
    await new Promise<void>((resolve) => webhook?.close(() => resolve()));
  });

  it('lists every message over several pages and reads them singly and in bulk', async () => {
    // Prepare
    const userId = emulator.mailbox.extensions[0]!.id;
    const expected = emulator.mailbox
      .messages(userId)
      .filter((message) => message.availability === 'Alive').length;

    // Act
    const records: MessageRecord[] = [];
    let pages = 0;
    for await (const page of rc.messages.list({ dateFrom: YEAR_AGO, perPage: 7 })) {
      pages += 1;
      records.push(...page.records);
    }
    const single = await rc.messages.get(records[0]!.id);
    const many = await rc.messages.getMany(
      records.slice(0, 3).map((record) => record.id) as unknown as NonEmptyArray<string>,
    );

    // Assess
    expect(records.length).toBe(expected);
    expect(pages).toBe(Math.ceil(expected / 7));
    expect(
      records.every(
        (record) =>
          typeof record.id === 'string' && typeof (record.conversationId ?? '') === 'string',
      ),
    ).toBe(true);
    expect(single.id).toBe(records[0]!.id);
    expect(many.map((result) => [result.id, result.ok])).toEqual(
      records.slice(0, 3).map((record) => [record.id, true]),
    );
  });

  it('updates, deletes, restores and purges by id, with per-id results', async () => {
    // Prepare
    const ids = [] as string[];
    for await (const page of rc.messages.list({ dateFrom: YEAR_AGO, perPage: 5 })) {
      ids.push(...page.records.map((record) => record.id));
      break;
    }
    const chosen = ids.slice(0, 3) as unknown as NonEmptyArray<string>;

    // Act
    const read = await rc.messages.update(chosen, { readStatus: 'Read' });
    const deleted = await rc.messages.delete(chosen);
    const restored = await rc.messages.restore(chosen);
    const afterRestore = await rc.messages.get(chosen[0]);
    const purged = await rc.messages.delete([chosen[0]], { purge: true });
    const mixed = await rc.messages.getMany([
      chosen[1]!,
      '999999999',
    ] as unknown as NonEmptyArray<string>);

    // Assess
    expect(read.every((result) => result.ok && result.body?.readStatus === 'Read')).toBe(true);
    expect(deleted.every((result) => result.ok)).toBe(true);
    expect(restored.every((result) => result.ok)).toBe(true);
    expect(afterRestore.availability).toBe('Alive');
    expect(purged[0]?.ok).toBe(true);
    expect(mixed[0]?.ok).toBe(true);
    expect(mixed[1]?.ok).toBe(false);
    expect(!mixed[1]!.ok && mixed[1]!.error).toBeInstanceOf(NotFoundError);
  });

  it('syncs fully, then incrementally, and maps MSG-333 to SyncTokenInvalidError', async () => {
    // Act
    const full = await rc.sync({ syncType: 'FSync', dateFrom: YEAR_AGO, recordCount: 250 });
    await rc.sms.send({
      from: emulator.mailbox.extensions[0]!.smsNumbers[0]!,
      to: ['+16505550199'],
      text: 'sync me',
    });
    const incremental = await rc.sync({ syncType: 'ISync', syncToken: full.syncInfo.syncToken! });
    const invalid = rc.sync({ syncType: 'ISync', syncToken: 'not-a-token' });

    // Assess
    expect(full.records.length).toBeGreaterThan(0);
    expect(full.syncInfo.syncType).toBe('FSync');
    expect(
      incremental.records.some(
        (record) => record.type === 'SMS' && record.direction === 'Outbound',
      ),
    ).toBe(true);
    await expect(invalid).rejects.toBeInstanceOf(SyncTokenInvalidError);
  });

  it('streams a 3 MiB attachment byte-exact, also when the connection drops mid-body', async () => {
    // Prepare
    const userId = emulator.mailbox.extensions[0]!.id;
    const message = emulator.mailbox.add(userId, {
      type: 'Fax',
      direction: 'Inbound',
      to: [{ phoneNumber: emulator.mailbox.extensions[0]!.faxNumber }],
      attachments: [
        { type: 'RenderedDocument', contentType: 'application/pdf', size: 3 * 2 ** 20 },
      ],
    });
    expect(maxSize(message)).toBe(3 * 2 ** 20);
    const attachment = message.attachments.find(
      (candidate) => candidate.size === maxSize(message),
    )!;
    const expected = await sha256(emulator.mailbox.openAttachment(message.id, attachment.id));
    emulator.setFaults({ dropMidBodyRate: 1 });

    const resumedFrom: number[] = [];

    // Act
    let actual: { digest: string; size: number };
    try {
      const content = await rc.attachments.read(
        { messageId: message.id, attachmentId: attachment.id, extensionId: userId },
        {
          onResume: (info) => {
            resumedFrom.push(info.offset);
            // Every download drops at half its body; let the resumed ones through after two drops.
            if (resumedFrom.length === 2) emulator.setFaults({});
          },
        },
      );
      actual = await sha256(content.stream);
    } finally {
      emulator.setFaults({});
    }

    // Assess
    expect(actual).toEqual(expected);
    expect(resumedFrom).toHaveLength(2);
    expect(resumedFrom[0]).toBeGreaterThan(0);
  });

  it('sends SMS, pager and fax messages and lists cover pages', async () => {
    // Prepare
    const [user, colleague] = emulator.mailbox.extensions;
    const before = emulator.stats().sent;

    // Act
    const sms = await rc.sms.send({
      from: user!.smsNumbers[0]!,
      to: ['+16505550123'],
      text: 'hello',
    });
    const pager = await rc.pager.send({ to: [{ extensionId: colleague!.id }], text: 'ping' });
    const fax = await rc.fax.send({
      to: ['+16505550124', '+16505550125'],
      attachments: [
        {
          fileName: 'a.pdf',
          contentType: 'application/pdf',
          content: Buffer.from('%PDF-1.4 hello'),
        },
        {
          fileName: 'b.txt',
          contentType: 'text/plain',
          content: Readable.from([Buffer.from('plain text page')]),
        },
      ],
      faxResolution: 'High',
      coverIndex: 0,
    });
    const coverPages = await rc.fax.coverPages();

    // Assess
    expect(sms.type).toBe('SMS');
    expect(pager.type).toBe('Pager');
    expect(fax.type).toBe('Fax');
    expect(fax.to?.length).toBe(2);
    expect(coverPages.length).toBeGreaterThan(0);
    const after = emulator.stats().sent;
    expect([after.sms - before.sms, after.pager - before.pager, after.fax - before.fax]).toEqual([
      1, 1, 1,
    ]);
  });

  it('exports the message store and streams the archives', async () => {
    // Act
    const task = await rc.exports.create({ dateFrom: YEAR_AGO, messageTypes: ['SMS'] });
    const done = await rc.exports.waitUntilDone(task.id, {
      pollIntervalMs: 50,
      deadline: Date.now() + 20_000,
    });
    const archives = await rc.exports.listArchives(task.id);
    const first = await rc.exports.readArchive(archives[0]!);
    const { size } = await sha256(first.stream);

    // Assess
    expect(done.status).toBe('Completed');
    expect(archives.length).toBeGreaterThan(0);
    expect(size).toBe(archives[0]!.size ?? size);
    expect(size).toBeGreaterThan(0);
  });

  it('creates, reads, lists, renews, updates and deletes a webhook subscription', async () => {
    // Act
    const created = await rc.subscriptions.create({
      eventFilters: ['/restapi/v1.0/account/~/extension/~/message-store'],
      deliveryMode: { transportType: 'WebHook', address: webhookUrl, verificationToken: 'vt' },
      expiresIn: 3600,
    });
    const read = await rc.subscriptions.get(created.id);
    const listed = await rc.subscriptions.list();
    const renewed = await rc.subscriptions.renew(created.id);
    const updated = await rc.subscriptions.update(created.id, {
      eventFilters: ['/restapi/v1.0/account/~/extension/~/message-store'],
      expiresIn: 7200,
    });
    await rc.subscriptions.delete(created.id);
    const gone = rc.subscriptions.get(created.id);

    // Assess
    expect(read.status).toBe('Active');
    expect(listed.map((subscription) => subscription.id)).toContain(created.id);
    expect(renewed.id).toBe(created.id);
    expect(updated.id).toBe(created.id);
    await expect(gone).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reads the message-store configuration, never saw a 429, and revokes the session', async () => {
    // Act
    const configuration = await rc.configuration.get();
    const stats = emulator.stats();
    await rc.auth.revoke();

    // Assess
    expect(configuration.retentionPeriod).toBeGreaterThanOrEqual(7);
    expect(rateLimited).toBe(0);
    expect(Object.values(stats.tooManyRequestsByGroup).reduce((sum, count) => sum + count, 0)).toBe(
      0,
    );
    expect(stats.oauthRequests.jwt).toBe(1);
    expect(emulator.stats().oauthRequests.revoke).toBe(1);
    expect(tokens.session()).toBeUndefined();
  });
});
