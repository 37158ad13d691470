import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageAutomationStack } from '../../infra/message-automation-stack.ts';
import { addPolicyValidation } from '../../infra/policy-validation.ts';
import { SYNTH_TIME_LIMIT_MS } from '../support/time-limits.ts';
import { FULL_CONTEXT } from './support/full-context.ts';

/** The parts of CDK's validation-report.json the test reads. */
interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    conclusion: 'success' | 'failure';
    violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath?: string }> }>;
  }>;
}

const outDirs: string[] = [];
afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

/** Synthesises with cdk-nag (AwsSolutions, Serverless) and cfn-guard; returns the failure, if any. */
function synthWithValidation(
  context: Record<string, unknown>,
  extend?: (stack: MessageAutomationStack) => void,
): { error: unknown; report: () => string } {
  const outdir = mkdtempSync(join(tmpdir(), 'infra-validation-'));
  outDirs.push(outdir);
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new MessageAutomationStack(app, 'Validated', {
    env: { account: '123456789012', region: 'us-east-1' },
  });
  extend?.(stack);
  addPolicyValidation(app);
  let error: unknown;
  try {
    app.synth();
  } catch (caught) {
    error = caught;
  }
  return { error, report: () => readFileSync(join(outdir, 'validation-report.json'), 'utf8') };
}

/** One finding the validation report holds open: plugin, rule and construct path. */
function openFindings(report: string) {
  return (JSON.parse(report) as ValidationReport).pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((construct) => ({
        plugin: plugin.pluginName,
        rule: violation.ruleName,
        path: construct.constructPath ?? '',
      })),
    ),
  );
}

// A synth runs three plugins over the whole template (about 15 s idle, 140 s measured under a
// load of 20 on two cores), so one synth carries every assertion: every documented key at a
// non-default value, plus careless resources that each plugin must catch. `npx cdk synth` with
// the default configuration passes the same plugins in cdk-synth.test.ts.
describe('policy validation (cdk-nag AwsSolutions + Serverless, cfn-guard Control Tower)', {
  timeout: SYNTH_TIME_LIMIT_MS,
}, () => {
  let synthesis: { error: unknown; report: () => string };
  beforeAll(() => {
    synthesis = synthWithValidation(FULL_CONTEXT, (stack) => {
      // A log group kept a week breaks only the Control Tower retention control.
      new logs.LogGroup(stack, 'CarelessLogs', {
        retention: logs.RetentionDays.ONE_WEEK,
        encryptionKey: stack.operationsKey,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // A bare queue and a bare bucket break rules of all three packs.
      new sqs.Queue(stack, 'CarelessQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
      new s3.Bucket(stack, 'CarelessBucket');
    });
  }, SYNTH_TIME_LIMIT_MS);

  it('fails the synth on findings nobody acknowledged', () => {
    // Assess
    expect(String(synthesis.error)).toMatch(/ValidationFailed|Validation failed/);
  });

  it('leaves only the careless resources open with every documented key set to a non-default value', () => {
    // Act
    const open = openFindings(synthesis.report());

    // Assess: the stack's own findings all stay acknowledged.
    expect(open.length).toBeGreaterThan(0);
    for (const finding of open) {
      expect(finding.path).toMatch(/^Validated\/Careless(Logs|Queue|Bucket)\//);
    }
  });

  it('fails on a cfn-guard finding alone, next to the acknowledged ones', () => {
    // Act
    const open = openFindings(synthesis.report()).filter((finding) =>
      finding.path.startsWith('Validated/CarelessLogs/'),
    );

    // Assess
    expect(open).toEqual([
      {
        plugin: 'cdk-validator-cfnguard',
        rule: 'cloudwatch_log_group_retention_period_check',
        path: 'Validated/CarelessLogs/Resource',
      },
    ]);
  });

  it('reports findings from all three plugins', () => {
    // Act
    const open = openFindings(synthesis.report()).filter((finding) =>
      /^Validated\/Careless(Queue|Bucket)\//.test(finding.path),
    );

    // Assess
    const rules = open.map((finding) => finding.rule);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-SQS2']));
    expect(rules).toContain('Serverless-SQSRedrivePolicy');
    expect(rules).toContain('s3_bucket_logging_enabled_check');
    expect(new Set(open.map((finding) => finding.plugin))).toEqual(
      new Set(['AwsSolutions', 'Serverless', 'cdk-validator-cfnguard']),
    );
  });
});
