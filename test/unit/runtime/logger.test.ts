import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createLogger,
  REDACTED,
  redactLogValue,
  scrubText,
  valueAtPath,
} from '../../../lib/runtime/logger.ts';

const jwt =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLXBhcnQ';
const accessToken = 'U0pDMTFQMDFQQVMwMHxBQUJfTVpHWk5HX0FjcmV0LWFjY2Vzcy10b2tlbg';
const refreshToken = 'U0pDMTFQMDFQQVMwMHxBQUJfTVpHWk5HX0FjcmV0LXJlZnJlc2gtdG9rZW4';
const smsText = 'Your verification code is 482915, do not share';

// The suite runs with logs silenced (vitest.config.ts); these tests read what a function writes.
beforeEach(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** Captures what the logger writes to stdout/stderr during `act`. */
async function captureLines(act: () => void | Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const collect = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(collect);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(collect);
  try {
    await act();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines;
}

describe('createLogger', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('never writes tokens, JWTs, Authorization headers, secrets or message text', async () => {
    // Prepare
    const logger = createLogger('redaction-test');
    const session = {
      accessToken,
      refreshToken,
      expiresAt: '2030-01-01T00:00:00.000Z',
      refreshExpiresAt: '2030-01-07T00:00:00.000Z',
    };

    // Act
    const lines = await captureLines(() => {
      logger.info('Outgoing request', { headers: { Authorization: `Bearer ${accessToken}` } });
      logger.info(`Calling with Bearer ${accessToken} now`);
      logger.warn('Login', { assertion: jwt, note: `the jwt was ${jwt}` });
      logger.info('Session written', { session });
      logger.info('Credentials', { clientSecret: 'top-secret-value', jwt });
      logger.info('Sending SMS', {
        request: { text: smsText, to: [{ phoneNumber: '+14155550100' }] },
      });
      logger.info('Raw body', { body: JSON.stringify({ text: smsText }) });
      logger.info('Media link', { url: `https://media.example/x?access_token=${accessToken}&a=1` });
      logger.error('Failed', new Error(`token rejected: Bearer ${accessToken}`));
      logger.error('Rejected', {
        errors: [{ errorCode: 'CMN-101', parameterName: 'text', parameterValue: smsText }],
      });
    });

    // Assess
    const output = lines.join('\n');
    expect(lines.length).toBe(10);
    for (const secret of [accessToken, refreshToken, jwt, 'top-secret-value', smsText, '482915']) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain(REDACTED);
    expect(output).toContain('+14155550100');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('keeps harmless values readable', () => {
    // Prepare
    const values: Array<[string, unknown]> = [
      ['status', 401],
      ['tokenExpiresInMs', 5_000],
      ['message', 'plain words'],
    ];

    // Act
    const redacted = values.map(([key, value]) => redactLogValue(key, value));

    // Assess
    expect(redacted).toEqual([401, 5_000, 'plain words']);
  });

  it('scrubs credentials inside longer strings', () => {
    // Prepare
    const text = `auth Basic dXNlcjpwYXNz and Bearer abc.def and ${jwt} and ?token=xyz`;

    // Act
    const scrubbed = scrubText(text);

    // Assess
    expect(scrubbed).not.toMatch(/dXNlcjpwYXNz|abc\.def|eyJ|xyz/);
    expect(scrubbed.startsWith('auth ')).toBe(true);
  });
});

describe('correlation ids', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('reads dotted paths and yields undefined for anything missing', () => {
    // Prepare
    const event = { requestContext: { requestId: 'req-7', stage: null }, list: ['a'] };

    // Act
    const found = [
      valueAtPath('requestContext.requestId', event),
      valueAtPath('requestContext.stage.name', event),
      valueAtPath('requestContext.missing', event),
      valueAtPath('toString', event),
      valueAtPath('list.0', event),
    ];

    // Assess
    expect(found).toEqual(['req-7', undefined, undefined, undefined, 'a']);
  });

  it('puts the API Gateway request id on every line as correlation_id', async () => {
    // Prepare
    const logger = createLogger('correlation-test');
    const event = { requestContext: { requestId: `req-${Date.now()}` } };

    // Act
    const lines = await captureLines(() => {
      logger.setCorrelationId(event, 'requestContext.requestId');
      logger.info('Handled');
    });

    // Assess
    const line = JSON.parse(lines.at(-1) ?? '{}') as Record<string, unknown>;
    expect(line.correlation_id).toBe(event.requestContext.requestId);
  });
});
