/**
 * GET /messages/{messageId}: the status of a message the caller sent, from RingCentral, cached
 * briefly; another caller cannot read it. Against the local RingCentral and dynalite, with the
 * deployed wiring of send-sms, send-fax and get-message.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { messageStatusResponse } from '../../../lib/api/message-status.ts';
import { problemResponse } from '../../../lib/api/responses.ts';
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

const ROLE = 'arn:aws:sts::123456789012:assumed-role/orders-service';
const OTHER = 'arn:aws:sts::123456789012:assumed-role/billing-service/task-1';
const TO = '+16505550102';

/** GETs a message's status as `caller` (an API Gateway event with the route's path parameter). */
async function getMessage(
  handler: HttpHandler,
  messageId: string,
  caller: string | undefined,
): Promise<CallResult> {
  const event = httpApiEvent({
    method: 'GET',
    path: `/messages/${encodeURIComponent(messageId)}`,
    ...(caller === undefined ? {} : { iamCaller: caller }),
  });
  event.pathParameters = { messageId };
  return parseResponse(await handler(event, lambdaContext()));
}

describe('get-message against the local RingCentral and dynalite', () => {
  let harness: SendHarness;
  let restoreEnvironment: () => void;
  const handlers: Record<string, HttpHandler> = {};

  beforeAll(async () => {
    harness = await startSendHarness();
    restoreEnvironment = setEnvironment(
      functionEnvironment(harness, { SMS_FROM: '+16505550101', LOG_LEVEL: 'WARN' }),
    );
    vi.resetModules();
    handlers.sms = (await import('../../../functions/send-sms.ts')).handler;
    handlers.fax = (await import('../../../functions/send-fax.ts')).handler;
    handlers.get = (await import('../../../functions/get-message.ts')).handler;
  });

  afterAll(async () => {
    restoreEnvironment?.();
    await harness?.stop();
  });

  async function sendSms(caller: string): Promise<string> {
    const sent = await post(
      handlers.sms!,
      '/sms',
      { to: [TO], text: 'Parcel 8' },
      {
        key: newKey(),
        caller,
      },
    );
    expect(sent.status).toBe(202);
    return String(sent.body.id);
  }

  it('answers the status RingCentral reports to the sender, from any session of its role', async () => {
    // Prepare
    const id = await sendSms(`${ROLE}/task-a`);
    harness.emulator.mailbox.settle('101001', id, 'Delivered');

    // Act
    const result = await getMessage(handlers.get!, id, `${ROLE}/task-b`);

    // Assess
    expect(result.status).toBe(200);
    const status = messageStatusResponse.parse(result.body);
    expect(status).toMatchObject({ id, type: 'SMS', messageStatus: 'Delivered' });
    expect(status.recipients).toEqual([expect.objectContaining({ phoneNumber: TO })]);
  });

  it('answers 404 to another caller, and to an id nobody sent here, asking RingCentral nothing', async () => {
    // Prepare
    const id = await sendSms(`${ROLE}/task-a`);
    const before = harness.emulator.stats().requests;

    // Act
    const other = await getMessage(handlers.get!, id, OTHER);
    const unknown = await getMessage(handlers.get!, '999999999999', `${ROLE}/task-a`);
    const unsigned = await getMessage(handlers.get!, id, undefined);

    // Assess
    for (const result of [other, unknown, unsigned]) {
      expect(result.status).toBe(404);
      expect(result.headers['content-type']).toBe('application/problem+json');
      expect(problemResponse.parse(result.body).detail ?? '').not.toContain(id);
    }
    expect(harness.emulator.stats().requests).toBe(before);
  });

  it('serves polling from the cache: ten reads in a row cost RingCentral one request', async () => {
    // Prepare
    const id = await sendSms(`${ROLE}/task-a`);
    const before = harness.emulator.stats().requests;

    // Act
    const results: CallResult[] = [];
    for (let read = 0; read < 10; read += 1) {
      results.push(await getMessage(handlers.get!, id, `${ROLE}/task-a`));
    }

    // Assess
    expect(results.map((result) => result.status)).toEqual(Array(10).fill(200));
    for (const result of results) expect(result.body).toEqual(results[0]!.body);
    expect(harness.emulator.stats().requests - before).toBe(1);
  });

  it("reports a fax's page count and each recipient's result", async () => {
    // Prepare
    const sent = await post(
      handlers.fax!,
      '/fax',
      { to: ['+16505550199'], documents: [{ fileName: 'a.txt', content: 'aGVsbG8=' }] },
      { key: newKey(), caller: `${ROLE}/task-a` },
    );
    expect(sent.status).toBe(202);

    // Act
    const result = await getMessage(handlers.get!, String(sent.body.id), `${ROLE}/task-z`);

    // Assess
    expect(result.status).toBe(200);
    const status = messageStatusResponse.parse(result.body);
    expect(status.type).toBe('Fax');
    expect(status.faxPageCount).toBeGreaterThanOrEqual(1);
    expect(status.recipients[0]).toMatchObject({ phoneNumber: '+16505550199' });
    expect(status.recipients[0]?.messageStatus).toBeDefined();
  });

  it('refuses a malformed id with 400 problem+json before any lookup', async () => {
    // Prepare
    const before = harness.emulator.stats().requests;

    // Act
    const result = await getMessage(handlers.get!, 'abc', `${ROLE}/task-a`);

    // Assess
    expect(result.status).toBe(400);
    expect(problemResponse.parse(result.body).errors?.[0]?.field).toBe('messageId');
    expect(harness.emulator.stats().requests).toBe(before);
  });
});
