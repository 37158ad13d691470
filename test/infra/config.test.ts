import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { InfraConfigError, parseInfraConfig, readInfraConfig } from '../../infra/config.ts';
import { MessageAutomationStack } from '../../infra/message-automation-stack.ts';

describe('infra configuration', () => {
  it('applies the documented defaults to the smallest valid configuration', () => {
    // Act
    const config = parseInfraConfig({ smsFrom: '+16505550100' });

    // Assess
    expect(config).toMatchObject({
      extensions: ['~'],
      retentionDays: {},
      schedules: {
        tokenRefreshMinutes: 30,
        archive: 'rate(15 minutes)',
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
    [
      { smsFrom: '+16505550100', schedules: { archive: 'every 15 minutes' } },
      'schedules.archive = "every 15 minutes"',
    ],
    [
      { smsFrom: '+16505550100', allowedCallers: ['arn:aws:iam::123:role/x'] },
      'allowedCallers.0 = "arn:aws:iam::123:role/x"',
    ],
    [
      { smsFrom: '+16505550100', alertRecipients: { sms: ['555'], pager: [] } },
      'alertRecipients.sms.0 = "555"',
    ],
    [{ smsFrom: '+16505550100', kmsKeyArn: 'alias/archive' }, 'kmsKeyArn = "alias/archive"'],
    [{ smsFrom: '+16505550100', logRetentionDays: 100 }, 'logRetentionDays = 100'],
    [
      { smsFrom: '+16505550100', archiveStartDate: '2021-06-01' },
      'archiveStartDate = "2021-06-01"',
    ],
    [{ smsFrom: '+16505550100', alertPagerFrom: '10a' }, 'alertPagerFrom = "10a"'],
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

  it('reads context strings as given with -c key=value, and props override context', () => {
    // Prepare
    const app = new App({
      context: {
        smsFrom: '+16505550100',
        extensions: '["~","62000001"]',
        retentionDays: '{"Fax":90}',
        purgeDryRun: 'false',
        logRetentionDays: '30',
        alertPagerFrom: '62000009',
      },
    });

    // Act
    const config = readInfraConfig(app.node, { logRetentionDays: 90 });

    // Assess
    expect(config.extensions).toEqual(['~', '62000001']);
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
        objectLock: '{"enabled":"yes"}',
      },
    });

    // Act / Assess
    expect(() => new MessageAutomationStack(app, 'Bad')).toThrow(
      /Invalid configuration: objectLock\.enabled = "yes"/,
    );
  });
});
