import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { MessageAutomationStack } from '../../infra/message-automation-stack.ts';
import { addPolicyValidation } from '../../infra/policy-validation.ts';
import { FULL_CONTEXT } from './support/full-context.ts';
import { BASE_CONTEXT } from './support/synth.ts';

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

// Each synth runs three plugins over the whole template (about 15 s idle, over a minute under load).
describe('policy validation (cdk-nag AwsSolutions + Serverless, cfn-guard Control Tower)', {
  timeout: 180_000,
}, () => {
  it('leaves no unacknowledged finding with the default configuration', () => {
    // Act
    const { error } = synthWithValidation(BASE_CONTEXT);

    // Assess
    expect(error).toBeUndefined();
  });

  it('leaves no unacknowledged finding with every documented key set to a non-default value', () => {
    // Act
    const { error } = synthWithValidation(FULL_CONTEXT);

    // Assess
    expect(error).toBeUndefined();
  });

  it('fails the synth on a cfn-guard finding alone, next to the acknowledged ones', () => {
    // Act: a log group kept a week breaks only the Control Tower retention control.
    const { error, report } = synthWithValidation(BASE_CONTEXT, (stack) => {
      new logs.LogGroup(stack, 'CarelessLogs', {
        retention: logs.RetentionDays.ONE_WEEK,
        encryptionKey: stack.operationsKey,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    });

    // Assess
    expect(String(error)).toMatch(/ValidationFailed|Validation failed/);
    const reports = (JSON.parse(report()) as ValidationReport).pluginReports;
    const guard = reports.find((plugin) => plugin.pluginName === 'cdk-validator-cfnguard');
    expect(guard?.conclusion).toBe('failure');
    const open = reports.flatMap((plugin) =>
      plugin.violations.flatMap((violation) =>
        violation.violatingConstructs.map(
          (construct) => `${plugin.pluginName} ${violation.ruleName} ${construct.constructPath}`,
        ),
      ),
    );
    expect(open).toEqual([
      'cdk-validator-cfnguard cloudwatch_log_group_retention_period_check Validated/CarelessLogs/Resource',
    ]);
  });

  it('fails the synth on findings nobody acknowledged, from all three plugins', () => {
    // Act: a bare queue and a bare bucket break rules of all three packs.
    const { error, report } = synthWithValidation(BASE_CONTEXT, (stack) => {
      new sqs.Queue(stack, 'CarelessQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
      new s3.Bucket(stack, 'CarelessBucket');
    });

    // Assess
    expect(String(error)).toMatch(/ValidationFailed|Validation failed/);
    const reports = (JSON.parse(report()) as ValidationReport).pluginReports;
    const open = reports.flatMap((plugin) =>
      plugin.violations.flatMap((violation) =>
        violation.violatingConstructs.map((construct) => ({
          plugin: plugin.pluginName,
          rule: violation.ruleName,
          path: construct.constructPath,
        })),
      ),
    );
    const rules = open.map((finding) => finding.rule);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-SQS2']));
    expect(rules).toContain('Serverless-SQSRedrivePolicy');
    expect(rules).toContain('s3_bucket_logging_enabled_check');
    expect(new Set(open.map((finding) => finding.plugin))).toEqual(
      new Set(['AwsSolutions', 'Serverless', 'cdk-validator-cfnguard']),
    );
    // Only the careless resources are open: the stack's own findings stay acknowledged.
    for (const finding of open)
      expect(finding.path).toMatch(/^Validated\/Careless(Queue|Bucket)\//);
  });
});
