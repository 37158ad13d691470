/**
 * The configured SMS sender is checked on a container's first send: a number the authorised user
 * does not have, or one without the SmsSender feature, is logged once as an error and every send
 * from it answers 503 problem+json naming it, without asking RingCentral to send.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { problemResponse } from '../../../lib/api/responses.ts';
import type { SendHarness } from './send-harness.ts';
import {
  functionEnvironment,
  newKey,
  post,
  setEnvironment,
  startSendHarness,
} from './send-harness.ts';

type SendSmsModule = typeof import('../../../functions/send-sms.ts');

const TO = '+16505550102';

describe('send-sms checks its configured sender once per container', () => {
  let harness: SendHarness;

  beforeAll(async () => {
    harness = await startSendHarness();
  });

  afterAll(async () => {
    await harness?.stop();
  });

  let restoreEnvironment: (() => void) | undefined;

  afterEach(() => {
    restoreEnvironment?.();
    restoreEnvironment = undefined;
  });

  /** A cold start with SMS_FROM set to `smsFrom` (the environment stays until the test ends). */
  async function coldStart(smsFrom: string) {
    restoreEnvironment = setEnvironment(
      functionEnvironment(harness, { SMS_FROM: smsFrom, POWERTOOLS_LOG_LEVEL: 'WARN' }),
    );
    vi.resetModules();
    const module: SendSmsModule = await import('../../../functions/send-sms.ts');
    return module.createHandler(module.dependenciesFromEnvironment());
  }

  /** Sends `count` SMS one after the other, capturing the ERROR lines logged meanwhile. */
  async function sendMany(send: Awaited<ReturnType<typeof coldStart>>, count: number) {
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    const output = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const errorOutput = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const results = [];
    try {
      for (let index = 0; index < count; index += 1) {
        results.push(await post(send, '/sms', { to: [TO], text: 'hi' }, { key: newKey() }));
      }
    } finally {
      output.mockRestore();
      errorOutput.mockRestore();
    }
    const errors = lines.filter((line) => line.includes('"level":"ERROR"'));
    return { results, errors };
  }

  for (const [name, smsFrom, says] of [
    [
      'a number of the user without SmsSender (its fax number)',
      '+16505551101',
      'lacks the SmsSender feature',
    ],
    ["a number that is not the user's", '+16505550199', 'is not a phone number of the authorised'],
  ] as const) {
    it(`answers 503 naming ${name}, logs one error and sends nothing`, async () => {
      // Prepare
      const send = await coldStart(smsFrom);
      const before = harness.emulator.stats();

      // Act
      const { results, errors } = await sendMany(send, 3);

      // Assess
      const after = harness.emulator.stats();
      for (const result of results) {
        expect(result.status).toBe(503);
        expect(result.headers['content-type']).toBe('application/problem+json');
        expect(Number(result.headers['retry-after'])).toBeGreaterThan(0);
        const problem = problemResponse.parse(result.body);
        expect(problem.detail).toContain(smsFrom);
        expect(problem.detail).toContain(says);
        expect(problem.detail).toContain('SMS_FROM');
      }
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(says);
      // One phone-number list for the container, no send.
      expect(after.requests - before.requests).toBe(1);
      expect(after.sent.sms).toBe(before.sent.sms);
    });
  }

  it('lists the numbers once and then sends from a number with SmsSender', async () => {
    // Prepare
    const send = await coldStart('+16505550101');
    const before = harness.emulator.stats();

    // Act
    const { results, errors } = await sendMany(send, 3);

    // Assess
    const after = harness.emulator.stats();
    expect(results.map((result) => result.status)).toEqual([202, 202, 202]);
    expect(errors).toEqual([]);
    expect(after.sent.sms - before.sent.sms).toBe(3);
    expect(after.requests - before.requests).toBe(4);
  });

  it('still sends from a `from` in the body while the configured sender is refused', async () => {
    // Prepare
    const send = await coldStart('+16505551101');
    const before = harness.emulator.stats().sent.sms;

    // Act
    const result = await post(
      send,
      '/sms',
      { from: '+16505550101', to: [TO], text: 'hi' },
      { key: newKey() },
    );

    // Assess
    expect(result.status).toBe(202);
    expect(harness.emulator.stats().sent.sms).toBe(before + 1);
  });
});
