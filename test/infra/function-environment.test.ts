/**
 * The stack and the functions agree: each function's synthesised environment (intrinsics
 * replaced by placeholders of the right shape) passes that function's own exported schema via
 * loadConfig, sets no variable the function does not read, and carries every configured value
 * into the variable the function actually reads.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, type FunctionName } from '../../infra/message-automation-stack.ts';
import { loadConfig } from '../../lib/runtime/config.ts';
import type * as z from '../../lib/validation/zod.ts';
import { SYNTH_TIME_LIMIT_MS } from '../support/time-limits.ts';
import { FULL_CONTEXT } from './support/full-context.ts';
import {
  CONFIG_SCHEMA_LOADERS,
  declaredVariables,
  importWithEnvironment,
  LAMBDA_RUNTIME_ENVIRONMENT,
  resolvedEnvironment,
} from './support/function-environment.ts';
import { BASE_CONTEXT, type SynthesisedStack, synthStack } from './support/synth.ts';

/** Variables MessageFunction sets for the runtime (Node, Powertools), not read by a schema. */
const RUNTIME_VARIABLES = [
  'NODE_OPTIONS',
  'MALLOC_ARENA_MAX',
  'AWS_LAMBDA_EXEC_WRAPPER',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
];

const RINGCENTRAL_CALLERS: FunctionName[] = [
  'send-sms',
  'send-pager',
  'send-fax',
  'token-refresh',
  'subscription-keeper',
  'alert',
  'archive',
  'purge',
];

/** Lambda's limit on the total size of a function's environment variables (names and values). */
const LAMBDA_ENVIRONMENT_LIMIT = 4096;

const base = synthStack();
const full = synthStack({ ...BASE_CONTEXT, ...FULL_CONTEXT });
const configurations = { default: base, 'fully configured': full } as const;

const schemas = {} as Record<FunctionName, z.ZodMiniObject>;

/** The function's synthesised environment, resolved as Lambda would see it. */
function environmentOf(synth: SynthesisedStack, name: FunctionName): Record<string, string> {
  const made = synth.stack.functions[name];
  if (!made) throw new Error(`function ${name} missing`);
  return resolvedEnvironment(synth.template, synth.id(made.function));
}

/** The function's configuration as its cold start parses it from the synthesised environment. */
function configOf(synth: SynthesisedStack, name: FunctionName): Record<string, unknown> {
  return loadConfig(schemas[name], {
    ...LAMBDA_RUNTIME_ENVIRONMENT,
    ...environmentOf(synth, name),
  }) as Record<string, unknown>;
}

/** The expression of the schedule whose target is the function. */
function scheduleOf(synth: SynthesisedStack, name: FunctionName): unknown {
  const made = synth.stack.functions[name];
  if (!made) throw new Error(`function ${name} missing`);
  const target = { 'Fn::GetAtt': [synth.id(made.function), 'Arn'] };
  const schedules = Object.values(synth.template.findResources('AWS::Scheduler::Schedule')).filter(
    (schedule) => JSON.stringify(schedule.Properties.Target.Arn) === JSON.stringify(target),
  );
  expect(schedules, `schedules of ${name}`).toHaveLength(1);
  return schedules[0]?.Properties.ScheduleExpression;
}

beforeAll(async () => {
  // Each module validates process.env at its top level, as a cold start does: importing it
  // under its deployed default environment is itself the first check.
  for (const name of FUNCTION_NAMES) {
    schemas[name] = await importWithEnvironment(CONFIG_SCHEMA_LOADERS[name], {
      ...LAMBDA_RUNTIME_ENVIRONMENT,
      ...environmentOf(base, name),
    });
  }
}, SYNTH_TIME_LIMIT_MS);

describe('each function accepts the environment the stack gives it', () => {
  for (const [label, synth] of Object.entries(configurations)) {
    it.each(FUNCTION_NAMES)(`%s: its schema validates the ${label} environment`, (name) => {
      // Prepare
      const environment = { ...LAMBDA_RUNTIME_ENVIRONMENT, ...environmentOf(synth, name) };

      // Act
      const parse = () => loadConfig(schemas[name], environment);

      // Assess
      expect(parse).not.toThrow();
    });

    it.each(FUNCTION_NAMES)(`%s: sets no variable it does not read (${label})`, (name) => {
      // Prepare
      const declared = new Set([...declaredVariables(schemas[name]), ...RUNTIME_VARIABLES]);

      // Act
      const unread = Object.keys(environmentOf(synth, name)).filter((key) => !declared.has(key));

      // Assess
      expect(unread).toEqual([]);
    });
  }
});

describe('each configured value reaches the variable the function reads', () => {
  it('smsFrom: SMS_FROM of send-sms and alert', () => {
    // Act
    const sms = configOf(full, 'send-sms');
    const alert = configOf(full, 'alert');

    // Assess
    expect(sms.SMS_FROM).toBe(FULL_CONTEXT.smsFrom);
    expect(alert.SMS_FROM).toBe(FULL_CONTEXT.smsFrom);
  });

  it.each(FUNCTION_NAMES)(
    '%s: its environment stays under 4 KB with any number of extensions (none is in it)',
    (name) => {
      // Act: the fully configured stack; the account's extensions live in the registry.
      const environment = environmentOf(full, name);
      const bytes = Object.entries(environment).reduce(
        (total, [key, value]) => total + Buffer.byteLength(key) + Buffer.byteLength(value),
        0,
      );

      // Assess: the configuration has no per-extension key, so nothing here grows with them.
      expect(bytes).toBeLessThan(LAMBDA_ENVIRONMENT_LIMIT);
      // (EXTENSIONS_FUNCTION_NAME names the discovery function: one name, whatever the account.)
      const perExtension = Object.keys(environment).filter((key) =>
        /EXTENSIONS(?!_FUNCTION_NAME$)/.test(key),
      );
      expect(perExtension).toEqual([]);
      expect(Object.values(environment).join(' ')).not.toMatch(/extension\/\d/);
    },
  );

  it('objectLock: ARCHIVE_RETENTION_MODE/DAYS of archive and purge, none when off', () => {
    // Act
    const archive = configOf(full, 'archive');
    const purge = configOf(full, 'purge');
    const defaults = configOf(base, 'archive');

    // Assess
    for (const config of [archive, purge]) {
      expect([config.ARCHIVE_RETENTION_MODE, config.ARCHIVE_RETENTION_DAYS]).toEqual([
        'COMPLIANCE',
        FULL_CONTEXT.objectLock.retentionDays,
      ]);
    }
    expect(defaults.ARCHIVE_RETENTION_MODE).toBeUndefined();
    expect(defaults.ARCHIVE_RETENTION_DAYS).toBeUndefined();
  });

  it('archiveLagAlarmMinutes and the worker concurrency: the dispatcher reads them', () => {
    // Act
    const dispatch = configOf(full, 'archive-dispatch');

    // Assess
    expect(dispatch.ARCHIVE_BEHIND_MINUTES).toBe(FULL_CONTEXT.archiveLagAlarmMinutes);
    expect(dispatch.ARCHIVE_WORKERS).toBe(4);
    expect(dispatch.ARCHIVE_FUNCTION_NAME).toMatch(/^Test-Archive/);
  });

  it('retentionDays: PURGE_RETENTION_DAYS as purge parses it', () => {
    // Act
    const purge = configOf(full, 'purge');

    // Assess
    expect(purge.PURGE_RETENTION_DAYS).toEqual(FULL_CONTEXT.retentionDays);
  });

  it('purgeDryRun and purgeHard: PURGE_DRY_RUN and PURGE_HARD', () => {
    // Act
    const configured = configOf(full, 'purge');
    const defaults = configOf(base, 'purge');

    // Assess
    expect([configured.PURGE_DRY_RUN, configured.PURGE_HARD]).toEqual([
      FULL_CONTEXT.purgeDryRun,
      FULL_CONTEXT.purgeHard,
    ]);
    expect([defaults.PURGE_DRY_RUN, defaults.PURGE_HARD]).toEqual([true, false]);
  });

  it('archiveStartDate: ARCHIVE_START_DATE of archive and purge alike', () => {
    // Act
    const archive = configOf(full, 'archive');
    const purge = configOf(full, 'purge');
    const defaults = [configOf(base, 'archive'), configOf(base, 'purge')];

    // Assess
    expect(archive.ARCHIVE_START_DATE).toBe(FULL_CONTEXT.archiveStartDate);
    expect(purge.ARCHIVE_START_DATE).toBe(FULL_CONTEXT.archiveStartDate);
    expect(defaults[0]?.ARCHIVE_START_DATE).toBe(defaults[1]?.ARCHIVE_START_DATE);
  });

  it('schedules: the token-refresh rate in REFRESH_SCHEDULE_MINUTES, every job on its schedule', () => {
    // Act
    const refresh = configOf(full, 'token-refresh');
    const expressions = {
      'token-refresh': scheduleOf(full, 'token-refresh'),
      'archive-dispatch': scheduleOf(full, 'archive-dispatch'),
      purge: scheduleOf(full, 'purge'),
      'subscription-keeper': scheduleOf(full, 'subscription-keeper'),
    };

    // Assess
    expect(refresh.REFRESH_SCHEDULE_MINUTES).toBe(FULL_CONTEXT.schedules.tokenRefreshMinutes);
    expect(expressions).toEqual({
      'token-refresh': `rate(${FULL_CONTEXT.schedules.tokenRefreshMinutes} minutes)`,
      'archive-dispatch': FULL_CONTEXT.schedules.archive,
      purge: FULL_CONTEXT.schedules.purge,
      'subscription-keeper': FULL_CONTEXT.schedules.subscriptionKeeper,
    });
  });

  it('alertRecipients, alertTemplates, alertPagerFrom: the alert variables', () => {
    // Act
    const alert = configOf(full, 'alert');

    // Assess
    expect(alert.ALERT_RECIPIENTS).toEqual(FULL_CONTEXT.alertRecipients);
    expect(alert.ALERT_TEMPLATES).toEqual(FULL_CONTEXT.alertTemplates);
    expect(alert.ALERT_PAGER_FROM).toBe(FULL_CONTEXT.alertPagerFrom);
  });

  it("webhookUrl: WEBHOOK_URL of subscription-keeper, by default this API's /webhook", () => {
    // Act
    const configured = configOf(full, 'subscription-keeper');
    const defaults = configOf(base, 'subscription-keeper');

    // Assess
    expect(configured.WEBHOOK_URL).toBe(FULL_CONTEXT.webhookUrl);
    expect(defaults.WEBHOOK_URL).toMatch(
      /^https:\/\/a1b2c3d4e5\.execute-api\.us-east-1\.amazonaws\.com\/webhook$/,
    );
  });

  it('webhookIncludeText: WEBHOOK_INCLUDE_TEXT, and the instant SMS filter that carries text', () => {
    // Act
    const webhook = configOf(full, 'webhook');
    const keeper = configOf(full, 'subscription-keeper');
    const defaults = configOf(base, 'subscription-keeper');

    // Assess
    expect(webhook.WEBHOOK_INCLUDE_TEXT).toBe(true);
    expect(configOf(base, 'webhook').WEBHOOK_INCLUDE_TEXT).toBe(false);
    expect(keeper.SUBSCRIPTION_INSTANT_SMS).toBe(true);
    expect(defaults.SUBSCRIPTION_INSTANT_SMS).toBe(false);
    expect(defaults.SUBSCRIPTION_EXTRA_EVENT_FILTERS).toEqual([]);
  });

  it('faxDocumentBuckets: FAX_DOCUMENT_BUCKETS of send-fax', () => {
    // Act
    const configured = configOf(full, 'send-fax');
    const defaults = configOf(base, 'send-fax');

    // Assess
    expect(configured.FAX_DOCUMENT_BUCKETS).toEqual(FULL_CONTEXT.faxDocumentBuckets);
    expect(defaults.FAX_DOCUMENT_BUCKETS).toEqual([]);
  });

  it('credentialsSecretName: CREDENTIALS_SECRET_ID of every function that calls RingCentral', () => {
    // Act
    const ids = RINGCENTRAL_CALLERS.map((name) => configOf(full, name).CREDENTIALS_SECRET_ID);

    // Assess
    expect(ids).toEqual(RINGCENTRAL_CALLERS.map(() => FULL_CONTEXT.credentialsSecretName));
  });

  it('the state table, session secret, bucket and bus reach their readers', () => {
    // Act
    const sms = configOf(base, 'send-sms');
    const archive = configOf(base, 'archive');
    const purge = configOf(base, 'purge');
    const webhook = configOf(base, 'webhook');

    // Assess
    expect(sms.STATE_TABLE_NAME).toBe(`Test-${base.id(base.stack.table)}-1A2B3C4D5E6F`);
    expect(sms.SESSION_SECRET_ID).toMatch(
      new RegExp(`^arn:aws:secretsmanager:.*:secret:${base.id(base.stack.sessionSecret)}-`),
    );
    expect(archive.ARCHIVE_BUCKET_NAME).toBe(purge.ARCHIVE_BUCKET_NAME);
    expect(archive.ARCHIVE_BUCKET_NAME).toMatch(/^test-archivestore/);
    expect(webhook.EVENT_BUS_NAME).toBe(`Test${base.id(base.stack.bus)}`);
    // The webhook hands new messages to archiving through the registry (the dispatcher batches).
    expect(webhook.STATE_TABLE_NAME).toBe(sms.STATE_TABLE_NAME);
    expect(webhook.ARCHIVE_FUNCTION_NAME).toBeUndefined();
  });
});
