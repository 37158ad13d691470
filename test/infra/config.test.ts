import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_KEYS,
  InfraConfigError,
  parseInfraConfig,
  readInfraConfig,
  stackNameFor,
} from '../../infra/config.ts';
import { MessageAutomationStack } from '../../infra/message-automation-stack.ts';
import { FULL_CONTEXT } from './support/full-context.ts';

/** The keys of the configuration table in docs/DEPLOY.md (first column, in backticks). */
function documentedKeys(): string[] {
  const deploy = readFileSync(new URL('../../docs/DEPLOY.md', import.meta.url), 'utf8');
  const table = deploy.slice(deploy.indexOf('## Configuration'));
  return [...table.matchAll(/^\| `([\w.]+)` +\|/gm)].map((match) => match[1] ?? '');
}

describe('infra configuration', () => {
  it('applies the documented defaults to the smallest valid configuration', () => {
    // Act
    const config = parseInfraConfig({ smsFrom: '+16505550100', alarmEmails: ['ops@example.com'] });

    // Assess
    expect(config).toMatchObject({
      retentionDays: {},
      schedules: {
        tokenRefreshMinutes: 30,
        archive: 'rate(5 minutes)',
        purge: 'cron(0 4 * * ? *)',
        subscriptionKeeper: 'cron(30 3 * * ? *)',
        extensions: 'rate(1 hour)',
      },
      allowedCallers: [],
      objectLock: { enabled: false, retentionDays: 365 },
      purgeDryRun: true,
      logRetentionDays: 365,
    });
  });

  it.each([
    [{ smsFrom: '6505550100' }, 'smsFrom = "6505550100"'],
    [{ smsFrom: '+16505550100', retentionDays: { Fax: 0 } }, 'retentionDays.Fax = 0'],
    [{ smsFrom: '+16505550100', retentionDays: { Email: 3 } }, 'retentionDays'],
    // Extensions live in the registry, not in the configuration (nothing per extension deployed).
    [{ smsFrom: '+16505550100', extensions: ['~', '62000001'] }, 'extensions'],
    [
      { smsFrom: '+16505550100', schedules: { archive: 'every 15 minutes' } },
      'schedules.archive = "every 15 minutes"',
    ],
    [
      { smsFrom: '+16505550100', allowedCallers: ['arn:aws:iam::123:role/x'] },
      'allowedCallers[0] = "arn:aws:iam::123:role/x"',
    ],
    [
      { smsFrom: '+16505550100', alertRecipients: { sms: ['555'], pager: [] } },
      'alertRecipients.sms[0] = "555"',
    ],
    [{ smsFrom: '+16505550100', kmsKeyArn: 'alias/archive' }, 'kmsKeyArn = "alias/archive"'],
    [{ smsFrom: '+16505550100', logRetentionDays: 100 }, 'logRetentionDays = 100'],
    [
      { smsFrom: '+16505550100', archiveStartDate: '2021-06-01' },
      'archiveStartDate = "2021-06-01"',
    ],
    [{ smsFrom: '+16505550100', alertPagerFrom: '10a' }, 'alertPagerFrom = "10a"'],
    [
      {
        smsFrom: '+16505550100',
        alarmEmails: ['ops@example.com'],
        allowedCallers: ['arn:aws:iam::123456789012:user/ops'],
      },
      'allowedCallers[0] = "arn:aws:iam::123456789012:user/ops": must be an IAM role ARN of the deploying account',
    ],
    [
      {
        smsFrom: '+16505550100',
        alarmEmails: ['ops@example.com'],
        allowedCallers: ['arn:aws:iam::123456789012:role/a', 'arn:aws:iam::210987654321:role/b'],
      },
      'allowedCallers[1] = "arn:aws:iam::210987654321:role/b": must be a role of the deploying account',
    ],
    [{ smsFrom: '+16505550100', alarmTopicArn: 'on-call' }, 'alarmTopicArn = "on-call"'],
    [{}, 'smsFrom is not set'],
  ])('refuses %j with an error naming %s', (input, named) => {
    // Act
    let error: unknown;
    try {
      parseInfraConfig(input as Record<string, unknown>);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(InfraConfigError);
    expect((error as Error).message).toContain(named);
  });

  it('refuses a configuration whose alarms would reach nobody, naming both keys that fix it', () => {
    // Act
    let error: unknown;
    try {
      parseInfraConfig({ smsFrom: '+16505550100', alarmEmails: [] });
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(InfraConfigError);
    expect((error as InfraConfigError).key).toBe('alarmEmails');
    expect((error as Error).message).toMatch(/^Missing configuration: no alarm destination/);
    expect((error as Error).message).toContain(`-c 'alarmEmails=["ops@example.com"]'`);
    expect((error as Error).message).toContain('alarmTopicArn');
  });

  it('accepts an existing topic alone as the alarm destination', () => {
    // Act
    const config = parseInfraConfig({
      smsFrom: '+16505550100',
      alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:on-call',
    });

    // Assess
    expect(config.alarmEmails).toEqual([]);
    expect(config.alarmTopicArn).toBe('arn:aws:sns:us-east-1:123456789012:on-call');
  });

  it('every key of config.ts and of DEPLOY.md is synthesised with a value other than its default', () => {
    // Prepare
    const documented = documentedKeys();
    const defaults = parseInfraConfig({ smsFrom: '+16505550100', alarmEmails: ['x@example.com'] });
    const full = parseInfraConfig(FULL_CONTEXT);

    // Act
    const atDefault = CONFIG_KEYS.filter(
      (key) =>
        JSON.stringify((full as Record<string, unknown>)[key]) ===
        JSON.stringify((defaults as Record<string, unknown>)[key]),
    );

    // Assess
    expect(Object.keys(FULL_CONTEXT).sort()).toEqual([...CONFIG_KEYS].sort());
    expect([...new Set(documented.map((key) => key.split('.')[0]))].sort()).toEqual(
      [...CONFIG_KEYS].sort(),
    );
    expect(atDefault).toEqual([]);
  });

  it('names the stack after the stage, so several deployments share an account, and refuses a bad stage', () => {
    // Prepare
    const nodeWith = (context: Record<string, unknown>) => new App({ context }).node;

    // Act
    const names = [nodeWith({}), nodeWith({ stage: 'prod' })].map(stackNameFor);
    const bad = () => stackNameFor(nodeWith({ stage: 'prod_1' }));

    // Assess
    expect(names).toEqual(['RingCentralMessageAutomation', 'RingCentralMessageAutomation-prod']);
    expect(bad).toThrow(/Invalid configuration: stage = "prod_1": must be 1-25 letters/);
  });

  it('reads context strings as given with -c key=value, and props override context', () => {
    // Prepare
    const app = new App({
      context: {
        smsFrom: '+16505550100',
        alarmEmails: '["ops@example.com"]',
        faxDocumentBuckets: '["fax-documents","fax-covers"]',
        retentionDays: '{"Fax":90}',
        purgeDryRun: 'false',
        logRetentionDays: '30',
        alertPagerFrom: '62000009',
      },
    });

    // Act
    const config = readInfraConfig(app.node, { logRetentionDays: 90 });

    // Assess
    expect(config.faxDocumentBuckets).toEqual(['fax-documents', 'fax-covers']);
    expect(config.retentionDays).toEqual({ Fax: 90 });
    expect(config.purgeDryRun).toBe(false);
    expect(config.logRetentionDays).toBe(90);
    // An id made only of digits stays the string it was, not a number.
    expect(config.alertPagerFrom).toBe('62000009');
  });

  it('fails the stack at synth with the bad key and value named', () => {
    // Prepare
    const app = new App({
      context: {
        'aws:cdk:bundling-stacks': [],
        smsFrom: '+16505550100',
        alarmEmails: ['ops@example.com'],
        objectLock: '{"enabled":"yes"}',
      },
    });

    // Act / Assess
    expect(() => new MessageAutomationStack(app, 'Bad')).toThrow(
      /Invalid configuration: objectLock\.enabled = "yes"/,
    );
  });
});
