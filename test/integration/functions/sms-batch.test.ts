/**
 * POST /sms/batches and GET /sms/batches/{batchId} with the deployed wiring against the local
 * RingCentral and dynalite: one RingCentral request per batch, opted-out numbers never sent to,
 * progress readable only by the batch's sender, strict bodies, the sender's A2P feature.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { problemResponse } from '../../../lib/api/responses.ts';
import { smsBatchAccepted, smsBatchStatusResponse } from '../../../lib/api/sms-batch.ts';
import type { Exchange } from '../../../local/ringcentral/index.ts';
import { httpApiEvent, lambdaContext } from '../../support/events.ts';
import type { CallResult, HttpHandler, SendHarness } from './send-harness.ts';
import {
  functionEnvironment,
  newKey,
  parseResponse,
  post,
  setEnvironment,
  startSendHarness,
} from './send-harness.ts';

const FROM = '+16505550101';
/** The second user's number: it may send SMS, but not high-volume SMS. */
const NOT_A2P = '+16505550102';
const ROLE = 'arn:aws:sts::123456789012:assumed-role/notifications';
const OTHER = 'arn:aws:sts::123456789012:assumed-role/billing/task-1';

const recipients = (count: number, first = 0) =>
  Array.from({ length: count }, (_, index) => ({
    to: `+1415556${String(first + index).padStart(4, '0')}`,
  }));

/** GETs a batch's progress as `caller`, with an optional query string. */
async function getBatch(
  handler: HttpHandler,
  batchId: string,
  caller: string,
  query: Record<string, string> = {},
): Promise<CallResult> {
  const search = new URLSearchParams(query).toString();
  const event = httpApiEvent({
    method: 'GET',
    path: `/sms/batches/${encodeURIComponent(batchId)}${search ? `?${search}` : ''}`,
    iamCaller: caller,
  });
  event.pathParameters = { batchId };
  if (search) event.queryStringParameters = query;
  return parseResponse(await handler(event, lambdaContext()));
}

describe('high-volume SMS routes against the local RingCentral and dynalite', () => {
  const exchanges: Exchange[] = [];
  let harness: SendHarness;
  let restoreEnvironment: () => void;
  let send: HttpHandler;
  let read: HttpHandler;
  const batchCreations = () =>
    exchanges.filter(
      (exchange) => exchange.method === 'POST' && exchange.path.endsWith('/batches'),
    );

  beforeAll(async () => {
    harness = await startSendHarness({
      rateLimits: { enabled: false },
      a2pStepMs: 20,
      onExchange: (exchange) => exchanges.push(exchange),
    });
    harness.emulator.enableA2pSender(FROM);
    restoreEnvironment = setEnvironment(
      functionEnvironment(harness, { SMS_FROM: FROM, LOG_LEVEL: 'WARN' }),
    );
    vi.resetModules();
    send = (await import('../../../functions/send-sms-batch.ts')).handler;
    read = (await import('../../../functions/get-sms-batch.ts')).handler;
  });

  afterAll(async () => {
    restoreEnvironment?.();
    await harness?.stop();
  });

  /** Waits until RingCentral has processed every message (reading the local RingCentral). */
  async function completed(batchId: string): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (harness.emulator.a2p.batch(batchId)?.status === 'Completed') return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`batch ${batchId} did not complete`);
  }

  it('sends every recipient in one RingCentral request and answers 202 with the batch id', async () => {
    // Prepare
    const list = recipients(25).map((entry, index) =>
      index % 5 === 0 ? { ...entry, text: `Your code is ${index}` } : entry,
    );
    const creationsBefore = batchCreations().length;

    // Act
    const result = await post(
      send,
      '/sms/batches',
      { text: 'Your order has shipped.', recipients: list },
      { key: newKey(), caller: `${ROLE}/task-a` },
    );

    // Assess
    expect(result.status).toBe(202);
    expect(smsBatchAccepted.safeParse(result.body).success).toBe(true);
    expect(result.body).toMatchObject({
      status: 'Processing',
      from: FROM,
      batchSize: 25,
      refused: [],
    });
    expect(batchCreations().length - creationsBefore).toBe(1);
    const sent = harness.emulator.a2p.messagesOf(String(result.body.id));
    expect(sent.map((message) => message.to)).toEqual(list.map((entry) => entry.to));
    expect(sent[5]?.text).toBe('Your code is 5');
    expect(sent[6]?.text).toBe('Your order has shipped.');
  });

  it('answers progress and per-recipient results page by page to any session of the sending role', async () => {
    // Prepare
    const sent = await post(
      send,
      '/sms/batches',
      { text: 'Reminder: appointment tomorrow.', recipients: recipients(7, 100) },
      { key: newKey(), caller: `${ROLE}/task-a` },
    );
    const batchId = String(sent.body.id);
    await completed(batchId);

    // Act
    const pages: CallResult[] = [];
    let pageToken: string | undefined;
    do {
      const page = await getBatch(read, batchId, `${ROLE}/task-b`, {
        perPage: '3',
        ...(pageToken === undefined ? {} : { pageToken }),
      });
      pages.push(page);
      pageToken = page.body.nextPageToken as string | undefined;
    } while (pageToken !== undefined);

    // Assess
    expect(pages.map((page) => page.status)).toEqual([200, 200, 200]);
    for (const page of pages)
      expect(smsBatchStatusResponse.safeParse(page.body).success).toBe(true);
    expect(pages[0]?.body).toMatchObject({
      id: batchId,
      status: 'Completed',
      batchSize: 7,
      processedCount: 7,
    });
    const results = pages.flatMap(
      (page) =>
        page.body.recipients as Array<{ to: string; messageStatus: string; messageId: string }>,
    );
    expect(results.map((entry) => entry.to)).toEqual(recipients(7, 100).map((entry) => entry.to));
    expect(results.every((entry) => entry.messageStatus === 'Delivered')).toBe(true);
    expect(results.every((entry) => /^\d+$/.test(entry.messageId))).toBe(true);
  });

  it('serves a page read again within seconds from its cache, asking RingCentral nothing', async () => {
    // Prepare
    const sent = await post(
      send,
      '/sms/batches',
      { text: 'Polled.', recipients: recipients(2, 150) },
      { key: newKey(), caller: ROLE },
    );
    const batchId = String(sent.body.id);
    const first = await getBatch(read, batchId, ROLE);
    const requestsBefore = harness.emulator.stats().requests;

    // Act
    const again = await getBatch(read, batchId, `${ROLE}/another-session`);
    const otherPage = await getBatch(read, batchId, ROLE, { perPage: '1' });

    // Assess
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(otherPage.body.recipients).toHaveLength(1);
    expect(harness.emulator.stats().requests - requestsBefore).toBe(2);
  });

  it('never sends to an opted-out number: drops it and reports it as refused, by its position', async () => {
    // Prepare: a number RingCentral rejects (outside the US and Canada) after an opted-out one,
    // so that its position in the batch differs from its position in the request.
    const list = [...recipients(3, 200), { to: '+442071838750' }, ...recipients(2, 203)];
    harness.emulator.a2p.optOut(FROM, list[1]!.to);
    harness.emulator.a2p.optOut(FROM, list[5]!.to);
    // An opt-out from another sender does not concern this one.
    harness.emulator.a2p.optOut(NOT_A2P, list[2]!.to);

    // Act
    const result = await post(
      send,
      '/sms/batches',
      { text: 'Sale starts today.', recipients: list },
      { key: newKey(), caller: `${ROLE}/task-a` },
    );

    // Assess
    expect(result.status).toBe(202);
    expect(result.body.batchSize).toBe(3);
    expect(result.body.refused).toEqual([
      { index: 1, to: list[1]!.to, reason: 'OptedOut' },
      { index: 3, to: '+442071838750', reason: 'Rejected', errorCode: 'CMN-100' },
      { index: 5, to: list[5]!.to, reason: 'OptedOut' },
    ]);
    const sentTo = harness.emulator.a2p.messagesOf(String(result.body.id)).map((m) => m.to);
    expect(sentTo).toEqual([list[0]!.to, list[2]!.to, list[4]!.to]);
  });

  it('sends nothing when every recipient has opted out: 422 problem+json', async () => {
    // Prepare
    const list = recipients(2, 300);
    for (const entry of list) harness.emulator.a2p.optOut(FROM, entry.to);
    const creationsBefore = batchCreations().length;

    // Act
    const result = await post(
      send,
      '/sms/batches',
      { text: 'hello', recipients: list },
      { key: newKey(), caller: ROLE },
    );

    // Assess
    expect(result.status).toBe(422);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(result.body.title).toBe('Every recipient has opted out');
    expect(batchCreations().length).toBe(creationsBefore);
  });

  it('sends one batch per Idempotency-Key, also when repeated from another session of the role', async () => {
    // Prepare
    const key = newKey();
    const body = { text: 'Once only.', recipients: recipients(3, 400) };
    const creationsBefore = batchCreations().length;

    // Act
    const first = await post(send, '/sms/batches', body, { key, caller: `${ROLE}/task-a` });
    const repeat = await post(send, '/sms/batches', body, { key, caller: `${ROLE}/task-b` });

    // Assess
    expect([first.status, repeat.status]).toEqual([202, 202]);
    expect(repeat.body.id).toBe(first.body.id);
    expect(batchCreations().length - creationsBefore).toBe(1);
  });

  it('lets no other caller read a batch, and answers an unknown one alike: 404', async () => {
    // Prepare
    const sent = await post(
      send,
      '/sms/batches',
      { text: 'Private.', recipients: recipients(1, 500) },
      { key: newKey(), caller: `${ROLE}/task-a` },
    );
    const requestsBefore = harness.emulator.stats().requests;

    // Act
    const foreign = await getBatch(read, String(sent.body.id), OTHER);
    const unknown = await getBatch(read, '999999999999', `${ROLE}/task-a`);

    // Assess
    for (const result of [foreign, unknown]) {
      expect(result.status).toBe(404);
      expect(result.headers['content-type']).toBe('application/problem+json');
      expect(problemResponse.safeParse(result.body).success).toBe(true);
    }
    expect(harness.emulator.stats().requests).toBe(requestsBefore);
  });

  it('refuses a number where a string is required, with 400 problem+json before any request', async () => {
    // Prepare
    const bodies = [
      '{"text":9007199254740993,"recipients":[{"to":"+14155560001"}]}',
      '{"text":"hello","recipients":[{"to":14155560001}]}',
      '{"recipients":[{"to":"+14155560001","text":12345}]}',
      '{"from":16505550101,"text":"hello","recipients":[{"to":"+14155560001"}]}',
      '{"recipients":[{"to":"+14155560001"}]}',
    ];
    const requestsBefore = harness.emulator.stats().requests;

    // Act
    const results = await Promise.all(
      bodies.map((body) => post(send, '/sms/batches', body, { key: newKey(), caller: ROLE })),
    );

    // Assess
    for (const result of results) {
      expect(result.status).toBe(400);
      expect(result.headers['content-type']).toBe('application/problem+json');
    }
    expect(
      results.map((result) => (result.body.errors as Array<{ field: string }>)[0]?.field),
    ).toEqual(['text', 'recipients[0].to', 'recipients[0].text', 'from', 'recipients[0].text']);
    expect(harness.emulator.stats().requests).toBe(requestsBefore);
  });

  it("passes on RingCentral's refusal of a requested sender without A2PSmsSender as 422 naming `from`", async () => {
    // Act
    const result = await post(
      send,
      '/sms/batches',
      { from: NOT_A2P, text: 'hello', recipients: recipients(1, 600) },
      { key: newKey(), caller: ROLE },
    );

    // Assess
    expect(result.status).toBe(422);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(result.body.errors).toEqual([{ field: 'from', message: expect.any(String) }]);
  });
});

describe('high-volume SMS from a configured sender without the A2PSmsSender feature', () => {
  let harness: SendHarness;
  let restoreEnvironment: () => void;
  let send: HttpHandler;

  beforeAll(async () => {
    harness = await startSendHarness({ rateLimits: { enabled: false } });
    restoreEnvironment = setEnvironment(
      functionEnvironment(harness, { SMS_FROM: FROM, LOG_LEVEL: 'CRITICAL' }),
    );
    vi.resetModules();
    send = (await import('../../../functions/send-sms-batch.ts')).handler;
  });

  afterAll(async () => {
    restoreEnvironment?.();
    await harness?.stop();
  });

  it('answers every batch 503 problem+json naming the number and the feature, and sends none', async () => {
    // Act
    const results = [];
    for (let index = 0; index < 2; index += 1) {
      results.push(
        await post(
          send,
          '/sms/batches',
          { text: 'hello', recipients: recipients(1) },
          { key: newKey(), caller: ROLE },
        ),
      );
    }

    // Assess
    for (const result of results) {
      expect(result.status).toBe(503);
      expect(result.headers['content-type']).toBe('application/problem+json');
      expect(result.headers['retry-after']).toBeDefined();
      expect(String(result.body.detail)).toContain(FROM);
      expect(String(result.body.detail)).toContain('A2PSmsSender');
    }
    expect(harness.emulator.a2p.messagesOf()).toEqual([]);
  });
});
