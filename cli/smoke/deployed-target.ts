/**
 * A deployed stack as a smoke target, from its CloudFormation outputs, with the caller's AWS
 * credentials and region (the SDK's standard chain: AWS_PROFILE, AWS_REGION, ...).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SmokeTarget } from './checks.ts';
import { headMissingArchiveKey } from './local-target.ts';
import { signedGetStatus } from './signed-get.ts';

/** The outputs the checks read (infra/message-automation-stack.ts adds them). */
const REQUIRED_OUTPUTS = [
  'ApiUrl',
  'WebhookUrl',
  'ArchiveBucketName',
  'AlarmTopicArn',
  'CredentialsSecretArn',
  'SessionSecretArn',
] as const;

type Outputs = Record<(typeof REQUIRED_OUTPUTS)[number], string>;

/** The stack is missing or lacks an output the checks need. */
export class StackOutputsError extends Error {
  override readonly name = 'StackOutputsError';
}

async function stackOutputs(stackName: string): Promise<Outputs> {
  const answer = await new CloudFormationClient({}).send(
    new DescribeStacksCommand({ StackName: stackName }),
  );
  const outputs = Object.fromEntries(
    (answer.Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
  );
  const missing = REQUIRED_OUTPUTS.filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw new StackOutputsError(
      `Stack ${stackName} has no output ${missing.join(', ')}: deploy this version of the stack first`,
    );
  }
  return outputs as Outputs;
}

async function secretJson(
  secrets: SecretsManagerClient,
  id: string,
): Promise<Record<string, unknown>> {
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: id }));
  return JSON.parse(secret.SecretString ?? '{}') as Record<string, unknown>;
}

/** The deployed stack `stackName` as a smoke target. */
export async function openDeployedTarget(stackName: string): Promise<SmokeTarget> {
  const outputs = await stackOutputs(stackName);
  const s3 = new S3Client({});
  const region = await s3.config.region();
  const secrets = new SecretsManagerClient({});
  return {
    description: `stack ${stackName} (${region})`,
    webhookUrl: outputs.WebhookUrl,
    session: async () => {
      const credentials = await secretJson(secrets, outputs.CredentialsSecretArn);
      const session = await secretJson(secrets, outputs.SessionSecretArn);
      const server = String(credentials.server ?? 'https://platform.ringcentral.com');
      const token = typeof session.accessToken === 'string' ? session.accessToken : undefined;
      return { server, ...(token ? { accessToken: token } : {}) };
    },
    headMissingArchiveKey: () => headMissingArchiveKey(s3, outputs.ArchiveBucketName),
    alarmSubscriptions: async () => {
      const answer = await new SNSClient({}).send(
        new ListSubscriptionsByTopicCommand({ TopicArn: outputs.AlarmTopicArn }),
      );
      return (answer.Subscriptions ?? []).map((subscription) => ({
        endpoint: subscription.Endpoint ?? '?',
        confirmed: Boolean(subscription.SubscriptionArn?.startsWith('arn:')),
      }));
    },
    signedStatusRequest: async () =>
      signedGetStatus(
        new URL(`${outputs.ApiUrl.replace(/\/$/, '')}/messages/0`),
        await s3.config.credentials(),
        region,
      ),
  };
}
