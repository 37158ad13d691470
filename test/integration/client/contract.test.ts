/**
 * Every client operation against the local RingCentral, with every request and response checked
 * against RingCentral's OpenAPI spec (plus only the documented deviations).
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JwtTokenSource, NonEmptyArray, RingCentral } from '../../../lib/ringcentral/index.ts';
import { NotFoundError, SyncTokenInvalidError } from '../../../lib/ringcentral/index.ts';
import type { Exchange, RunningEmulator } from '../../../local/ringcentral/index.ts';
import { loadRingCentralContract } from '../../support/contract-deviations.ts';
import { digest } from '../../support/digest.ts';
import type { Contract } from '../../support/openapi-contract.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';
import { type ClientHarness, startClientHarness } from './client-harness.ts';

const YEAR_AGO = new Date(Date.now() - 400 * 24 * 3600 * 1000).toISOString();
const MESSAGE_STORE_FILTER = '/restapi/v1.0/account/~/extension/~/message-store';

/** Every operation of the spec the client wraps (all but updateMessageStoreConfiguration). */
const CLIENT_OPERATIONS = [
  'getToken',
  'revokeToken',
  'listMessages',
  'readMessage',
  'updateMessage',
  'patchMessage',
  'deleteMessage',
  'deleteMessageByFilter',
  'syncMessages',
  'readMessageContent',
  'createSMSMessage',
  'createInternalTextMessage',
  'createFaxMessage',
  'listFaxCoverPages',
  'createMessageStoreReport',
  'readMessageStoreReportTask',
  'readMessageStoreReportArchive',
  'readMessageStoreReportArchiveContent',
  'readMessageStoreConfiguration',
  'createSubscription',
  'readSubscription',
  'listSubscriptions',
  'renewSubscription',
  'updateSubscription',
  'deleteSubscription',
  'listExtensions',
  'readExtension',
  'listExtensionPhoneNumbers',
];

function nonEmpty(ids: string[]): NonEmptyArray<string> {
  if (ids.length === 0) throw new Error('expected at least one id');
  return ids as unknown as NonEmptyArray<string>;
}

describe('the client conforms to the spec against the local RingCentral', () => {
  const exchanges: Exchange[] = [];
  let contract: Contract;
  let harness: ClientHarness;
  let emulator: RunningEmulator;
  let receiver: WebhookReceiver;
  let tokens: JwtTokenSource;
  let rc: RingCentral;
  let rateLimited = 0;

  beforeAll(async () => {
    contract = await loadRingCentralContract();
    receiver = await startWebhookReceiver();
    harness = await startClientHarness(
      {
        mailbox: { seed: 11, extensions: 2, messagesPerExtension: 30, maxAttachmentBytes: 50_000 },
        rateLimits: { windowScale: 0.05 },
        exportStepMs: 10,
        onExchange: (exchange) => exchanges.push(exchange),
      },
      {
        limits: { backoff: { baseMs: 50, maxMs: 200 } },
        hooks: { onRateLimited: () => (rateLimited += 1) },
      },
    );
    ({ emulator, tokens, rc } = harness);
  });

  afterAll(async () => {
    await harness?.stop();
    await receiver?.close();
  });

  it('logs in with the JWT grant and refreshes with the refresh grant', async () => {
    // Act
    const first = await tokens.getToken();
    const refreshed = await tokens.getToken({ forceRefresh: true });

    // Assess
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(emulator.stats().oauthRequests).toMatchObject({ jwt: 1, refresh: 1 });
  });

  it('lists, reads, updates, patches, restores and deletes messages', async () => {
    // Prepare
    const alive = emulator.mailbox
      .messages(emulator.mailbox.extensions[0]!.id)
      .filter((message) => message.availability === 'Alive').length;
    const ids: string[] = [];
    for await (const page of rc.messages.list({
      dateFrom: YEAR_AGO,
      perPage: 10,
      messageType: ['SMS', 'Fax', 'VoiceMail', 'Pager'],
      direction: ['Inbound', 'Outbound'],
      availability: ['Alive'],
      readStatus: ['Read', 'Unread'],
    })) {
      ids.push(...page.records.map((record) => record.id));
    }
    const [one, two, three, four, five] = ids;
    if (!one || !two || !three || !four || !five) throw new Error('mailbox too small');

    // Act
    const single = await rc.messages.get(one);
    const many = await rc.messages.getMany(nonEmpty([one, two, '999999999']));
    const putOne = await rc.messages.update([one], { readStatus: 'Read' });
    const putMany = await rc.messages.update(nonEmpty([one, two]), { readStatus: 'Unread' });
    const patched = await rc.messages.patch(nonEmpty([two, three]), { readStatus: 'Read' });
    const deletedOne = await rc.messages.delete([three]);
    const deletedMany = await rc.messages.delete(nonEmpty([four, five]));
    const restored = await rc.messages.restore(nonEmpty([three, four]));
    const patchedOne = await rc.messages.patch([five], { availability: 'Alive' });
    const partlyFailed = await rc.messages.delete(nonEmpty([five, '999999998']), { purge: true });

    // Assess
    expect(ids.length).toBe(alive);
    expect(single.id).toBe(one);
    expect(many.map((result) => result.ok)).toEqual([true, true, false]);
    expect(!many[2]!.ok && many[2]!.error).toBeInstanceOf(NotFoundError);
    expect(putOne[0]).toMatchObject({ ok: true, body: { readStatus: 'Read' } });
    expect(putMany.map((result) => result.ok && result.body?.readStatus)).toEqual([
      'Unread',
      'Unread',
    ]);
    expect(patched.every((result) => result.ok && result.body?.readStatus === 'Read')).toBe(true);
    expect([...deletedOne, ...deletedMany].every((result) => result.ok)).toBe(true);
    expect(restored.every((result) => result.ok && result.body?.availability === 'Alive')).toBe(
      true,
    );
    expect(patchedOne[0]).toMatchObject({ ok: true, body: { availability: 'Alive' } });
    expect(partlyFailed.map((result) => result.ok)).toEqual([true, false]);
  });

  it('deletes whole conversations by id', async () => {
    // Prepare
    const userId = emulator.mailbox.extensions[0]!.id;
    const conversation = emulator.mailbox
      .messages(userId)
      .find(
        (message) =>
          message.type === 'SMS' && message.availability === 'Alive' && message.conversationId,
      );
    if (!conversation?.conversationId) throw new Error('no conversation in the mailbox');

    // Act
    await rc.messages.deleteConversations({
      conversationIds: [conversation.conversationId],
      type: 'SMS',
    });

    // Assess
    const left = emulator.mailbox
      .messages(userId)
      .filter(
        (message) =>
          message.conversationId === conversation.conversationId &&
          message.type === 'SMS' &&
          message.availability === 'Alive',
      );
    expect(left).toEqual([]);
  });

  it('syncs fully, then incrementally, and maps MSG-333 to SyncTokenInvalidError', async () => {
    // Act
    const full = await rc.sync({
      syncType: 'FSync',
      dateFrom: YEAR_AGO,
      recordCount: 100,
      messageType: ['SMS', 'Fax'],
      direction: ['Inbound'],
    });
    await rc.pager.send({
      to: [{ extensionId: emulator.mailbox.extensions[1]!.id }],
      text: 'sync me',
    });
    const incremental = await rc.sync({
      syncType: 'ISync',
      syncToken: full.syncInfo.syncToken!,
      recordCount: 100,
    });
    const invalid = rc.sync({ syncType: 'ISync', syncToken: 'not-a-token' });

    // Assess
    expect(full.syncInfo.syncType).toBe('FSync');
    expect(incremental.syncInfo.syncType).toBe('ISync');
    expect(incremental.records.some((record) => record.type === 'Pager')).toBe(true);
    await expect(invalid).rejects.toBeInstanceOf(SyncTokenInvalidError);
  });

  it('reads attachment content whole, by range, by uri, and a text attachment', async () => {
    // Prepare
    const user = emulator.mailbox.extensions[0]!;
    const fax = emulator.mailbox.add(user.id, {
      type: 'Fax',
      direction: 'Inbound',
      to: [{ phoneNumber: user.faxNumber }],
      attachments: [{ type: 'RenderedDocument', contentType: 'application/pdf', size: 40_000 }],
    });
    const pdf = fax.attachments[0]!;
    const textMessage = emulator.mailbox
      .messages(user.id)
      .find((message) =>
        message.attachments.some((attachment) => attachment.contentType === 'text/plain'),
      );
    const text = textMessage?.attachments.find(
      (attachment) => attachment.contentType === 'text/plain',
    );
    if (!textMessage || !text) throw new Error('no text attachment in the mailbox');
    const expected = await digest(emulator.mailbox.openAttachment(fax.id, pdf.id));
    const ref = { messageId: fax.id, attachmentId: pdf.id };

    // Act
    const whole = await rc.attachments.read(ref);
    const wholeBytes = await digest(whole.stream);
    const part = await rc.attachments.read(ref, { range: { start: 100, end: 1099 } });
    const partBytes = await digest(part.stream);
    const byUri = await rc.attachments.read({ uri: pdf.uri });
    const byUriBytes = await digest(byUri.stream);
    const plain = await rc.attachments.read({
      messageId: textMessage.id,
      attachmentId: text.id,
    });
    const plainBytes = await digest(plain.stream);

    // Assess
    expect(wholeBytes).toEqual(expected);
    expect(byUriBytes).toEqual(expected);
    expect([part.status, partBytes.size]).toEqual([206, 1000]);
    expect(plain.contentType).toMatch(/^text\/plain/);
    expect(plainBytes.size).toBe(text.size);
  });

  it('sends SMS, pager and fax messages and lists the fax cover pages', async () => {
    // Prepare
    const [user, colleague] = emulator.mailbox.extensions;
    const before = emulator.stats().sent;

    // Act
    const sms = await rc.sms.send({
      from: user!.smsNumbers[0]!,
      to: ['+16505550123', '+16505550124'],
      text: 'hello',
      country: { isoCode: 'US' },
    });
    const pager = await rc.pager.send({
      from: { extensionId: user!.id },
      to: [{ extensionNumber: colleague!.extensionNumber }],
      text: 'ping',
    });
    const reply = await rc.pager.send({ text: 'pong', replyOn: pager.id });
    const fax = await rc.fax.send({
      to: ['+16505550124', '+16505550125', '+16505550126'],
      attachments: [
        { fileName: 'a.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 a') },
        {
          fileName: 'b.txt',
          contentType: 'text/plain',
          content: Readable.from([Buffer.from('plain text page')]),
        },
      ],
      faxResolution: 'Low',
      coverIndex: 3,
      coverPageText: 'For your eyes',
      sendTime: new Date(Date.now() + 60_000),
      isoCode: 'US',
    });
    const coverPages = await rc.fax.coverPages();

    // Assess
    expect([sms.type, pager.type, reply.type, fax.type]).toEqual(['SMS', 'Pager', 'Pager', 'Fax']);
    expect(fax.to?.length).toBe(3);
    expect(fax).toMatchObject({ faxResolution: 'Low', coverIndex: 3 });
    expect(coverPages.length).toBeGreaterThan(0);
    const after = emulator.stats().sent;
    expect([after.sms - before.sms, after.pager - before.pager, after.fax - before.fax]).toEqual([
      1, 2, 1,
    ]);
  });

  it('exports the message store and streams every archive', async () => {
    // Act
    const task = await rc.exports.create({
      dateFrom: YEAR_AGO,
      dateTo: new Date().toISOString(),
      messageTypes: ['SMS', 'Fax'],
    });
    const polled = await rc.exports.get(task.id);
    const done = await rc.exports.waitUntilDone(task.id, {
      pollIntervalMs: 20,
      deadline: Date.now() + 20_000,
    });
    const archives = await rc.exports.listArchives(task.id);
    const sizes: number[] = [];
    for (const archive of archives) {
      const content = await rc.exports.readArchive(archive);
      sizes.push((await digest(content.stream)).size);
    }

    // Assess
    expect(polled.id).toBe(task.id);
    expect(done.status).toBe('Completed');
    expect(archives.length).toBeGreaterThan(0);
    expect(sizes).toEqual(archives.map((archive) => archive.size));
  });

  it('creates, reads, lists, renews, updates and deletes a webhook subscription', async () => {
    // Act
    const created = await rc.subscriptions.create({
      eventFilters: [MESSAGE_STORE_FILTER],
      deliveryMode: { transportType: 'WebHook', address: receiver.url, verificationToken: 'vt' },
      expiresIn: 3600,
    });
    const read = await rc.subscriptions.get(created.id);
    const listed = await rc.subscriptions.list();
    const renewed = await rc.subscriptions.renew(created.id);
    const updated = await rc.subscriptions.update(created.id, {
      eventFilters: [MESSAGE_STORE_FILTER, `${MESSAGE_STORE_FILTER}/instant?type=SMS`],
      expiresIn: 7200,
    });
    await rc.subscriptions.delete(created.id);
    const remaining = await rc.subscriptions.list();
    const gone = rc.subscriptions.get(created.id);

    // Assess
    expect(receiver.handshakes).toHaveLength(1);
    expect(read.status).toBe('Active');
    expect(listed.map((subscription) => subscription.id)).toContain(created.id);
    expect(renewed.id).toBe(created.id);
    expect(updated.eventFilters).toHaveLength(2);
    expect(remaining.map((subscription) => subscription.id)).not.toContain(created.id);
    await expect(gone).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists the account extensions page by page and reads one', async () => {
    // Act
    const pages: string[][] = [];
    for await (const page of rc.extensions.pages({
      perPage: 1,
      status: ['Enabled'],
      type: ['User'],
    })) {
      pages.push(page.records.map((record) => record.id));
    }
    const own = await rc.extensions.get('~');
    const colleague = await rc.extensions.get(emulator.mailbox.extensions[1]!.id);

    // Assess
    expect(pages).toEqual(emulator.mailbox.extensions.map((extension) => [extension.id]));
    expect([own.id, own.type, colleague.id]).toEqual([
      emulator.mailbox.extensions[0]!.id,
      'User',
      emulator.mailbox.extensions[1]!.id,
    ]);
  });

  it("lists the extension's phone numbers with their features", async () => {
    // Prepare
    const own = emulator.mailbox.extensions[0]!;

    // Act
    const numbers = await rc.extensions.phoneNumbers('~');

    // Assess
    expect(numbers.map((number) => [number.phoneNumber, number.features])).toEqual([
      [own.smsNumbers[0], ['CallerId', 'SmsSender']],
      [own.faxNumber, ['CallerId']],
    ]);
    expect(typeof numbers[0]?.id).toBe('string');
  });

  it('reads the message-store configuration and revokes the session, never paced into a 429', async () => {
    // Act
    const configuration = await rc.configuration.get();
    const stats = emulator.stats();
    await rc.auth.revoke();

    // Assess
    expect(configuration.retentionPeriod).toBeGreaterThanOrEqual(7);
    expect(rateLimited).toBe(0);
    expect(Object.values(stats.tooManyRequestsByGroup)).toEqual([0, 0, 0, 0]);
    expect(stats.oauthRequests.jwt).toBe(1);
    expect(emulator.stats().oauthRequests.revoke).toBe(1);
    expect(tokens.session()).toBeUndefined();
  });

  it('sent only requests, and got only responses, that the spec allows', async () => {
    // Prepare: stopping the emulator closes every response, so every exchange is recorded.
    await harness.stop();

    // Act
    const problems = exchanges.flatMap((exchange) =>
      contract
        .validateExchange(exchange)
        .map((problem) => `${exchange.method} ${exchange.path} ${exchange.status}: ${problem}`),
    );
    const covered = new Set(
      exchanges.map(
        (exchange) => contract.matchOperation(exchange.method, exchange.path)?.operationId,
      ),
    );

    // Assess
    expect(problems).toEqual([]);
    expect(CLIENT_OPERATIONS.filter((operationId) => !covered.has(operationId))).toEqual([]);
  });
});
