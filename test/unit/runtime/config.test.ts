import { describe, expect, it } from 'vitest';
import { ConfigError, env, loadConfig } from '../../../lib/runtime/config.ts';
import * as z from '../../../lib/validation/zod.ts';

const schema = z.object({
  STATE_TABLE_NAME: env.requiredString,
  WEBHOOK_URL: env.url,
  SMS_FROM: env.optionalString,
  BATCH_SIZE: z._default(env.positiveInt, 25),
  FAX_DOCUMENT_BUCKETS: env.list,
  INCLUDE_TEXT: z._default(env.boolean, false),
  ALERT_RECIPIENTS: env.jsonOf(z.array(z.object({ phoneNumber: z.string() }))),
});

const valid = {
  STATE_TABLE_NAME: 'state',
  WEBHOOK_URL: 'https://example.com/webhook',
  FAX_DOCUMENT_BUCKETS: 'docs-a, docs-b,,',
  ALERT_RECIPIENTS: '[{"phoneNumber":"+14155550100"}]',
};

function configErrorOf(environment: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(schema, environment);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted an invalid environment');
}

describe('loadConfig', () => {
  it('parses and converts every piece', () => {
    // Prepare
    const environment = { ...valid, BATCH_SIZE: '10', INCLUDE_TEXT: 'yes', SMS_FROM: ' ' };

    // Act
    const config = loadConfig(schema, environment);

    // Assess
    expect(config).toEqual({
      STATE_TABLE_NAME: 'state',
      WEBHOOK_URL: 'https://example.com/webhook',
      SMS_FROM: undefined,
      BATCH_SIZE: 10,
      FAX_DOCUMENT_BUCKETS: ['docs-a', 'docs-b'],
      INCLUDE_TEXT: true,
      ALERT_RECIPIENTS: [{ phoneNumber: '+14155550100' }],
    });
  });

  it('applies defaults when optional variables are unset', () => {
    // Act
    const config = loadConfig(schema, valid);

    // Assess
    expect(config.BATCH_SIZE).toBe(25);
    expect(config.INCLUDE_TEXT).toBe(false);
  });

  it.each([
    ['STATE_TABLE_NAME', undefined, /is required/],
    ['STATE_TABLE_NAME', '  ', /is required/],
    ['WEBHOOK_URL', 'ftp://example.com', /is invalid/],
    ['BATCH_SIZE', '-3', /is invalid/],
    ['BATCH_SIZE', '1.5', /is invalid/],
    ['INCLUDE_TEXT', 'maybe', /is invalid/],
    ['ALERT_RECIPIENTS', '{not json', /must be valid JSON/],
    ['ALERT_RECIPIENTS', '[{"email":"x"}]', /is invalid/],
  ])('names %s when it is %j', (variable, value, problem) => {
    // Prepare
    const environment: NodeJS.ProcessEnv = { ...valid, [variable]: value };

    // Act
    const error = configErrorOf(environment);

    // Assess
    expect(error.name).toBe('ConfigError');
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(`Environment variable ${variable}`);
    expect(error.message).toMatch(problem);
    expect(error.cause).toBeDefined();
  });

  it('never echoes the value of a variable', () => {
    // Prepare
    const environment = { ...valid, ALERT_RECIPIENTS: '{"password":"hunter2"' };

    // Act
    const error = configErrorOf(environment);

    // Assess
    expect(error.message).not.toContain('hunter2');
  });
});

describe('env.phoneNumber and env.optionalPhoneNumber', () => {
  const phones = z.object({ SMS_FROM: env.phoneNumber, ALERT_FROM: env.optionalPhoneNumber });

  it('accept E.164 numbers RingCentral accepts, and leave the optional one unset when blank', () => {
    // Act
    const config = loadConfig(phones, { SMS_FROM: ' +1234567 ', ALERT_FROM: '' });

    // Assess
    expect(config).toEqual({ SMS_FROM: '+1234567', ALERT_FROM: undefined });
  });

  it.each([
    ['SMS_FROM', '+123456'],
    ['SMS_FROM', '16505550100'],
    ['ALERT_FROM', '+1234567890123456'],
  ])('refuse %s = %j, naming the form', (variable, value) => {
    // Prepare
    const environment = { SMS_FROM: '+16505550100', [variable]: value };

    // Act
    const attempt = () => loadConfig(phones, environment);

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      `Environment variable ${variable} is invalid: must be an E.164 number such as +16505550100`,
    );
  });
});
