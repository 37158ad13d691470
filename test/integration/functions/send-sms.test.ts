import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sentMessageResponse } from '../../../lib/api/responses.ts';
import type { SendHarness } from './send-harness.ts';
import {
  functionEnvironment,
  newKey,
  post,
  SESSION_SECRET_ID,
  setEnvironment,
  startSendHarness,
} from './send-harness.ts';

type SendSmsModule = typeof import('../../../functions/send-sms.ts');

const FROM = '+16505550101';
const TO = '+16505550102';

/** Imports the function module afresh (a cold start) with the current environment. */
async function coldStart(): Promise<SendSmsModule> {
  vi.resetModules();
  return import('../../../functions/send-sms.ts');
}

describe('send-sms against the local RingCentral and dynalite', () => {
  let harness: SendHarness;
  let restoreEnvironment: () => void;
  let module: SendSmsModule;

  function handler() {
    return module.createHandler(module.dependenciesFromEnvironment());
  }

  beforeAll(async () => {
    harness = await startSendHarness();
    restoreEnvironment = setEnvironment(functionEnvironment(harness, { SMS_FROM: FROM }));
    module = await coldStart();
  });

  afterAll(async () => {
    restoreEnvironment?.();
    await harness?.stop();
  });

  it('sends an SMS and answers 202 with the id, type, status and uri RingCentral gave', async () => {
    // Prepare
    const send = handler();
    const before = harness.emulator.stats().sent.sms;

    // Act
    const result = await post(
      send,
      '/sms',
      { to: [TO], text: 'Parcel 7 shipped' },
      { key: newKey() },
    );

    // Assess
    expect(result.status).toBe(202);
    const body = sentMessageResponse.parse(result.body);
    expect(body.type).toBe('SMS');
    expect(harness.emulator.stats().sent.sms).toBe(before + 1);
    const stored = harness.emulator.mailbox
      .messages('101001')
      .find((message) => message.id === body.id);
    expect(stored?.subject).toBe('Parcel 7 shipped');
    expect(stored?.from?.phoneNumber).toBe(FROM);
    expect(body.uri.endsWith(`/message-store/${body.id}`)).toBe(true);
  });

  it('logs neither the message text nor any token, JWT or secret, even at DEBUG', async () => {
    // Prepare
    const restoreLevel = setEnvironment({ LOG_LEVEL: 'DEBUG', POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    const send = handler();
    restoreLevel();
    const text = 'Secret plan: the door code is 4711';
    const session = harness.secrets.value(SESSION_SECRET_ID) as Record<string, string>;
    const lines: string[] = [];
    const output = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });

    // Act
    let results: Array<{ status: number }>;
    try {
      results = [
        await post(send, '/sms', { to: [TO], text }, { key: newKey() }),
        await post(send, '/sms', { to: ['bad'], text }, { key: newKey() }),
        await post(send, '/sms', { from: '+16505550199', to: [TO], text }, { key: newKey() }),
      ];
    } finally {
      output.mockRestore();
    }

    // Assess
    expect(results.map((result) => result.status)).toEqual([202, 400, 422]);
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(3);
    for (const secret of [
      text,
      session.accessToken!,
      session.refreshToken!,
      harness.emulator.credentials.jwt,
      harness.emulator.credentials.clientSecret,
    ]) {
      expect(log).not.toContain(secret);
    }
  });

  it('the deployed handler reads its configuration and clients from the environment', async () => {
    // Prepare
    const before = harness.emulator.stats().sent.sms;

    // Act
    const result = await post(module.handler, '/sms', { to: [TO], text: 'hi' }, { key: newKey() });

    // Assess
    expect(result.status).toBe(202);
    expect(harness.emulator.stats().sent.sms).toBe(before + 1);
  });

  it('fails the cold start with an error naming a missing or invalid variable', async () => {
    // Prepare
    const restoreMissing = setEnvironment({ SMS_FROM: undefined });

    // Act
    const missing = await coldStart().catch((error: unknown) => error);
    restoreMissing();
    const restoreInvalid = setEnvironment({ SMS_FROM: '650-555-0101' });
    const invalid = await coldStart().catch((error: unknown) => error);
    restoreInvalid();

    // Assess
    expect(missing).toMatchObject({ name: 'ConfigError', variable: 'SMS_FROM' });
    expect(invalid).toMatchObject({ name: 'ConfigError', variable: 'SMS_FROM' });
    expect(String(invalid)).not.toContain('650-555-0101');
  });

  it('sends once for 50 concurrent identical requests with one key; a retry gets the same answer', async () => {
    // Prepare
    const send = handler();
    const key = newKey();
    const body = { to: [TO], text: 'Only once, please' };
    const before = harness.emulator.stats().sent.sms;

    // Act
    const results = await Promise.all(
      Array.from({ length: 50 }, () => post(send, '/sms', body, { key })),
    );
    const retry = await post(send, '/sms', body, { key });

    // Assess
    expect(harness.emulator.stats().sent.sms).toBe(before + 1);
    const accepted = results.filter((result) => result.status === 202);
    const conflicts = results.filter((result) => result.status === 409);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(accepted.length + conflicts.length).toBe(50);
    for (const result of accepted) expect(result.body).toEqual(accepted[0]?.body);
    for (const result of conflicts) {
      expect(result.headers['content-type']).toBe('application/problem+json');
    }
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual(accepted[0]?.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('sends once for one key from two sessions of one role, and twice for two roles', async () => {
    // Prepare
    const send = handler();
    const key = newKey();
    const body = { to: [TO], text: 'Once per service' };
    const role = 'arn:aws:sts::123456789012:assumed-role/orders-service';
    const before = harness.emulator.stats().sent.sms;

    // Act
    const first = await post(send, '/sms', body, { key, caller: `${role}/task-a1` });
    const otherSession = await post(send, '/sms', body, { key, caller: `${role}/task-b2` });
    const otherRole = await post(send, '/sms', body, {
      key,
      caller: 'arn:aws:sts::123456789012:assumed-role/billing-service/task-a1',
    });

    // Assess
    expect([first.status, otherSession.status, otherRole.status]).toEqual([202, 202, 202]);
    expect(otherSession.body).toEqual(first.body);
    expect(otherSession.headers['idempotent-replayed']).toBe('true');
    expect(otherRole.body.id).not.toBe(first.body.id);
    expect(harness.emulator.stats().sent.sms).toBe(before + 2);
  });

  it('answers 422 when the key is reused with a different body, without sending', async () => {
    // Prepare
    const send = handler();
    const key = newKey();
    await post(send, '/sms', { to: [TO], text: 'first' }, { key });
    const before = harness.emulator.stats().sent.sms;

    // Act
    const result = await post(send, '/sms', { to: [TO], text: 'second' }, { key });

    // Assess
    expect(result.status).toBe(422);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(harness.emulator.stats().sent.sms).toBe(before);
  });

  it('refuses a request without an Idempotency-Key, naming the header', async () => {
    // Prepare
    const send = handler();
    const before = harness.emulator.stats().requests;

    // Act
    const result = await post(send, '/sms', { to: [TO], text: 'no key' });

    // Assess
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([{ field: 'idempotency-key', message: 'is required' }]);
    expect(harness.emulator.stats().requests).toBe(before);
  });

  it('answers 400 with field errors for an invalid body, without sending', async () => {
    // Prepare
    const send = handler();
    const before = harness.emulator.stats().requests;

    // Act
    const result = await post(
      send,
      '/sms',
      { to: ['555-0102'], text: '\u{1F600}'.repeat(501) },
      { key: newKey() },
    );

    // Assess
    expect(result.status).toBe(400);
    const fields = (result.body.errors as Array<{ field: string }>).map((error) => error.field);
    expect(fields.sort()).toEqual(['text', 'to[0]']);
    expect(harness.emulator.stats().requests).toBe(before);
  });

  it('maps a number RingCentral refuses as sender (MSG-304) to 422', async () => {
    // Prepare
    const send = handler();

    // Act
    const result = await post(
      send,
      '/sms',
      { from: '+16505550199', to: [TO], text: 'x' },
      { key: newKey() },
    );

    // Assess
    expect(result.status).toBe(422);
    expect(result.body.detail).toContain('MSG-304');
  });

  it('maps a 429 storm to 503 with Retry-After and RingCentral 5xx to 502', async () => {
    // Prepare: a warm container, its sender already checked. A cold one would list the sender
    // numbers (an idempotent GET) during the 5xx first, and sit through that GET's retry backoff.
    const send = handler();
    const warm = await post(send, '/sms', { to: [TO], text: 'x' }, { key: newKey() });

    // Act: the 5xx first, as the storm's penalty outlasts the invocation and is shared by every
    // client of the user; a penalty longer than the deadline makes the first 429 final, so no
    // retry can be cut short by the deadline however slow the machine
    harness.emulator.setFaults({ errorRate: 1 });
    const failing = await post(send, '/sms', { to: [TO], text: 'x' }, { key: newKey() });
    harness.emulator.setFaults({ tooManyRequests: true, stormRetryAfterSeconds: 120 });
    const limited = await post(send, '/sms', { to: [TO], text: 'x' }, { key: newKey() });
    harness.emulator.setFaults({});

    // Assess
    expect(warm.status).toBe(202);
    expect(limited.status).toBe(503);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(failing.status).toBe(502);
    expect(failing.headers['content-type']).toBe('application/problem+json');
  });
});

describe('send-sms against a RingCentral that refuses for the carrier', () => {
  let harness: SendHarness;
  let upstream: Server;
  let restoreEnvironment: () => void;
  let module: SendSmsModule;
  let answer = { status: 400, code: 'SMS-CAR-450' };
  let received = 0;

  beforeAll(async () => {
    // A real HTTP server answering like RingCentral with a spec-shaped error body.
    upstream = createServer((request, response) => {
      request.resume();
      if (request.method === 'GET' && request.url?.includes('/phone-number')) {
        // The cold start's check of the configured sender, answered as RingCentral would.
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            records: [{ id: 16505550101, phoneNumber: FROM, features: ['SmsSender'] }],
            paging: { perPage: 1000, page: 1 },
            navigation: {},
          }),
        );
        return;
      }
      received += 1;
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          errorCode: answer.code,
          message: 'Carrier rejected the message',
          errors: [{ errorCode: answer.code, message: 'Carrier rejected the message' }],
        }),
      );
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    harness = await startSendHarness(undefined, upstreamUrl);
    restoreEnvironment = setEnvironment(functionEnvironment(harness, { SMS_FROM: FROM }));
    module = await coldStart();
  });

  afterAll(async () => {
    restoreEnvironment?.();
    await harness?.stop();
    upstream?.closeAllConnections();
    await new Promise<void>((resolve) => upstream?.close(() => resolve()));
  });

  it('maps SMS-CAR-45x to 422 naming the code, and releases the key for a later retry', async () => {
    // Prepare
    const send = module.createHandler(module.dependenciesFromEnvironment());
    const key = newKey();
    answer = { status: 400, code: 'SMS-CAR-451' };

    // Act
    const refused = await post(send, '/sms', { to: [TO], text: 'x' }, { key });
    const again = await post(send, '/sms', { to: [TO], text: 'x' }, { key });

    // Assess
    expect(refused.status).toBe(422);
    expect(refused.body.title).toBe('Rejected by the carrier');
    expect(refused.body.detail).toContain('SMS-CAR-451');
    expect(again.status).toBe(422);
    expect(received).toBe(2);
  });
});
