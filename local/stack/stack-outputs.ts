/**
 * The running `npm start` described as CloudFormation describes the deployed stack: the outputs
 * `npm run smoke -- --stack` and the deploy steps read, under the names infra/ gives them, so
 * the deployed path of a tool runs against the local stack unchanged. What npm start does not
 * have (the alarm topic, the test alarm) is not an output.
 */
import { ARCHIVE_LISTING_PROBE_OUTPUT } from '../../infra/archive-listing-probe.ts';
import { BASE_STACK_NAME } from '../../infra/config.ts';
import type { LocalStackDescription } from './aws-query-services.ts';

/** The name the local CloudFormation knows `npm start` by, as a deployment of stage `local`. */
export const LOCAL_STACK_NAME = `${BASE_STACK_NAME}-local`;

/** The role the local STS lets the smoke tool assume, as the deployed listing probe role. */
export function localListingProbeRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/${LOCAL_STACK_NAME}-ArchiveListingProbe`;
}

/** What the outputs are made of. */
export interface LocalStackParts {
  region: string;
  accountId: string;
  apiUrl: string;
  archiveBucket: string;
  secretNames: { credentials: string; session: string };
}

/** The local stack, with the outputs of the deployed one it has. */
export function describeLocalStack(parts: LocalStackParts): LocalStackDescription {
  const secretArn = (name: string) =>
    `arn:aws:secretsmanager:${parts.region}:${parts.accountId}:secret:${name}`;
  return {
    name: LOCAL_STACK_NAME,
    outputs: {
      ApiUrl: parts.apiUrl,
      WebhookUrl: `${parts.apiUrl}/webhook`,
      CredentialsSecretArn: secretArn(parts.secretNames.credentials),
      SessionSecretArn: secretArn(parts.secretNames.session),
      ArchiveBucketName: parts.archiveBucket,
      TokenRefreshFunctionName: 'token-refresh',
      ExtensionsFunctionName: 'extensions',
      SubscriptionKeeperFunctionName: 'subscription-keeper',
      [ARCHIVE_LISTING_PROBE_OUTPUT]: localListingProbeRoleArn(parts.accountId),
    },
  };
}
