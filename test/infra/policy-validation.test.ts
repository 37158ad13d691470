import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { MessageAutomationStack } from '../../infra/message-automation-stack.ts';
import { addPolicyValidation } from '../../infra/policy-validation.ts';
import { SYNTH_TIME_LIMIT_MS } from '../support/time-limits.ts';
import { BASE_CONTEXT } from './support/synth.ts';

/** The parts of CDK's validation-report.json the test reads. */
interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
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

// Each case is one synth with all three validation plugins: slow, and CPU-bound.
describe('policy validation (cdk-nag AwsSolutions + Serverless, cfn-guard Control Tower)', {
  timeout: SYNTH_TIME_LIMIT_MS,
}, () => {
  it('leaves no unacknowledged finding with the default configuration', () => {
    // Act
    const { error } = synthWithValidation(BASE_CONTEXT);

    // Assess
    expect(error).toBeUndefined();
  });

  it('leaves no unacknowledged finding with every optional feature configured', () => {
    // Act
    const { error } = synthWithValidation({
      ...BASE_CONTEXT,
      objectLock: { enabled: true, retentionDays: 30 },
      kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
      allowedCallers: ['arn:aws:iam::123456789012:role/order-service'],
      faxDocumentBuckets: ['fax-documents'],
      credentialsSecretName: 'ringcentral/credentials',
      logRetentionDays: 30,
    });

    // Assess
    expect(error).toBeUndefined();
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
