/**
 * A deployed stack as a smoke target, from its CloudFormation outputs, with the caller's AWS
 * credentials and region (the SDK's standard chain: AWS_PROFILE, AWS_REGION, ...). Every client
 * also takes the SDK's standard endpoint variables (AWS_ENDPOINT_URL_CLOUDFORMATION, _STS, _S3,
 * _SECRETS_MANAGER, _SNS), which is how the tests point this path at `npm start`.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ARCHIVE_LISTING_PROBE_OUTPUT } from '../../infra/archive-listing-probe.ts';
import { createS3Client } from '../../lib/aws/s3-client.ts';
import { headArchiveProbeKey } from './archive-probe.ts';
import type { ArchiveProbe, SmokeTarget } from './checks.ts';
import { signedGetStatus } from './signed-get.ts';

/** The outputs the checks read (infra/message-automation-stack.ts adds them). */
const REQUIRED_OUTPUTS = [
  'ApiUrl',
  'WebhookUrl',
  'ArchiveBucketName',
  'CredentialsSecretArn',
  'SessionSecretArn',
  ARCHIVE_LISTING_PROBE_OUTPUT,
] as const;

type Outputs = Record<(typeof REQUIRED_OUTPUTS)[number], string> & { AlarmTopicArn?: string };

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

/** What the answer of an S3 endpoint other than AWS's can prove, or undefined on AWS's. */
function overriddenS3(environment: NodeJS.ProcessEnv): string | undefined {
  const endpoint = environment.AWS_ENDPOINT_URL_S3 ?? environment.AWS_ENDPOINT_URL;
  return endpoint
    ? `the S3 at ${endpoint} (AWS_ENDPOINT_URL_S3) is not AWS's: it proves the s3:prefix condition only if it evaluates IAM policies`
    : undefined;
}

/**
 * HEADs the probe key with the listing probe role's credentials: the role holds the archive's
 * and purge's very s3:ListBucket grant, so S3's 404 or 403 is theirs.
 */
async function probeAsListingRole(outputs: Outputs): Promise<ArchiveProbe> {
  const assumed = await new STSClient({}).send(
    new AssumeRoleCommand({
      RoleArn: outputs[ARCHIVE_LISTING_PROBE_OUTPUT],
      RoleSessionName: 'npm-run-smoke',
      DurationSeconds: 900,
    }),
  );
  const credentials = assumed.Credentials;
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
    throw new Error(`AssumeRole of ${outputs[ARCHIVE_LISTING_PROBE_OUTPUT]} gave no credentials`);
  }
  const s3 = createS3Client({
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
    },
  });
  const status = await headArchiveProbeKey(s3, outputs.ArchiveBucketName);
  return {
    status,
    readAs: `role ${assumed.AssumedRoleUser?.Arn ?? outputs[ARCHIVE_LISTING_PROBE_OUTPUT]}`,
    proves:
      overriddenS3(process.env) ??
      "S3 applies the archive and purge roles' s3:ListBucket grant (conditioned on s3:prefix archive/*) to a HEAD, so they read absent objects as absent",
  };
}

/** The deployed stack `stackName` as a smoke target. */
export async function openDeployedTarget(stackName: string): Promise<SmokeTarget> {
  const outputs = await stackOutputs(stackName);
  const sts = new STSClient({});
  const region = await sts.config.region();
  const secrets = new SecretsManagerClient({});
  const topicArn = outputs.AlarmTopicArn;
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
    headMissingArchiveKey: () => probeAsListingRole(outputs),
    alarmSubscriptions: async () => {
      if (!topicArn) return undefined;
      const answer = await new SNSClient({}).send(
        new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }),
      );
      return (answer.Subscriptions ?? []).map((subscription) => ({
        endpoint: subscription.Endpoint ?? '?',
        confirmed: Boolean(subscription.SubscriptionArn?.startsWith('arn:')),
      }));
    },
    signedStatusRequest: async () =>
      signedGetStatus(
        new URL(`${outputs.ApiUrl.replace(/\/$/, '')}/messages/0`),
        await sts.config.credentials(),
        region,
      ),
  };
}
