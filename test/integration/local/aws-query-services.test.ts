/**
 * The local CloudFormation DescribeStacks and STS AssumeRole (query protocol, XML) behind the
 * local AWS endpoint, read by the real SDK clients: what parses is what AWS's answers give.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryServices } from '../../../local/stack/aws-query-services.ts';
import { type RunningAwsServices, startAwsServices } from '../../../local/stack/aws-services.ts';

const clientSettings = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
};
const ROLE = 'arn:aws:iam::000000000000:role/probe';
const NOW = Date.parse('2026-03-01T12:00:00.000Z');

describe('local AWS endpoint: CloudFormation and STS with the real SDK clients', () => {
  let services: RunningAwsServices;
  let cloudFormation: CloudFormationClient;
  let sts: STSClient;

  beforeAll(async () => {
    services = await startAwsServices({ secrets: {} });
    services.serveQueries(
      createQueryServices({
        region: 'us-east-1',
        accountId: '000000000000',
        stacks: [{ name: 'Demo', outputs: { ApiUrl: 'http://127.0.0.1:1', Odd: 'a<b&"c"' } }],
        assumableRoles: [ROLE],
        now: () => NOW,
      }),
    );
    cloudFormation = new CloudFormationClient({ ...clientSettings, endpoint: services.url });
    sts = new STSClient({ ...clientSettings, endpoint: services.url });
  });

  afterAll(async () => {
    cloudFormation.destroy();
    sts.destroy();
    await services.stop();
  });

  it("describes a stack's outputs, escaped as XML, and by the id it answered", async () => {
    // Act
    const byName = await cloudFormation.send(new DescribeStacksCommand({ StackName: 'Demo' }));
    const stack = byName.Stacks?.[0];
    const byId = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: stack?.StackId }),
    );

    // Assess
    expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
    expect(stack?.StackId).toMatch(/^arn:aws:cloudformation:us-east-1:000000000000:stack\/Demo\//);
    expect(stack?.Outputs).toEqual([
      { OutputKey: 'ApiUrl', OutputValue: 'http://127.0.0.1:1' },
      { OutputKey: 'Odd', OutputValue: 'a<b&"c"' },
    ]);
    expect(byId.Stacks?.[0]?.StackName).toBe('Demo');
  });

  it('answers ValidationError for a stack that does not exist, as CloudFormation does', async () => {
    // Act
    const refused = await cloudFormation
      .send(new DescribeStacksCommand({ StackName: 'Nope' }))
      .catch((error: unknown) => error);

    // Assess
    expect(refused).toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id Nope does not exist',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('gives temporary credentials for a known role, and AccessDenied for any other', async () => {
    // Act
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'smoke', DurationSeconds: 900 }),
    );
    const refused = await sts
      .send(new AssumeRoleCommand({ RoleArn: `${ROLE}-other`, RoleSessionName: 'smoke' }))
      .catch((error: unknown) => error);

    // Assess
    expect(assumed.Credentials).toMatchObject({
      AccessKeyId: expect.stringMatching(/^ASIA/),
      SecretAccessKey: expect.any(String),
      SessionToken: expect.any(String),
      Expiration: new Date(NOW + 900_000),
    });
    expect(assumed.AssumedRoleUser?.Arn).toBe('arn:aws:sts::000000000000:assumed-role/probe/smoke');
    expect(refused).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  });
});
