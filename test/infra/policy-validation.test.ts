import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { MessageAutomationStack } from '../../infra/message-automation-stack.ts';
import { addPolicyValidation } from '../../infra/policy-validation.ts';
import { BASE_CONTEXT } from './support/synth.ts';

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

describe('policy validation (cdk-nag AwsSolutions + Serverless, cfn-guard Control Tower)', () => {
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

  it('fails the synth on a finding nobody acknowledged, naming the rules of all three plugins', () => {
    // Act: an unencrypted queue without a DLQ breaks rules of all three packs.
    const { error, report } = synthWithValidation(BASE_CONTEXT, (stack) => {
      new sqs.Queue(stack, 'Careless', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    });

    // Assess
    expect(String(error)).toMatch(/ValidationFailed|Validation failed/);
    const text = report();
    expect(text).toContain('AwsSolutions-SQS');
    expect(text).toContain('Serverless-SQSRedrivePolicy');
    expect(text).toContain('sqs_dlq_check');
    expect(text).toContain('Validated/Careless/Resource');
    // Only the careless queue is reported: the stack's own findings stay acknowledged.
    const paths = [...text.matchAll(/"constructPath": "([^"]+)"/g)].map((match) => match[1]);
    expect(new Set(paths)).toEqual(new Set(['Validated/Careless/Resource']));
  });
});
