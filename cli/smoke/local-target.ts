/**
 * The running `npm start` as a smoke target, from its `<dataDir>/stack.json`: the session secret
 * in the local Secrets Manager, the local S3, and the local gateway signed with the stack's key.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createS3Client } from '../../lib/aws/s3-client.ts';
import { type LocalStackInfo, SECRET_NAMES } from '../../local/stack/stack.ts';
import { headArchiveProbeKey } from './archive-probe.ts';
import type { SmokeTarget } from './checks.ts';
import { signedGetStatus } from './signed-get.ts';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** What a HEAD against s3rver can prove: it evaluates no IAM policy. */
const LOCAL_S3_PROVES =
  "the local S3 evaluates no IAM policy, so this proves the probe key is absent, not the archive role's s3:prefix condition (npm run smoke -- --stack checks that on AWS)";

/** No running npm start where the command looked. */
export class NoRunningStackError extends Error {
  override readonly name = 'NoRunningStackError';
}

/** The running npm start of `dataDir` as a smoke target. */
export async function openLocalTarget(dataDir: string): Promise<SmokeTarget> {
  const file = join(dataDir, 'stack.json');
  if (!existsSync(file)) {
    throw new NoRunningStackError(
      `No running npm start (${file} is missing): start it, or name a deployment with --stack`,
    );
  }
  const info = JSON.parse(await readFile(file, 'utf8')) as LocalStackInfo;
  const apiUrl = info.apiUrl.replace(/\/$/, '');
  return {
    description: `the running npm start (${apiUrl})`,
    webhookUrl: `${apiUrl}/webhook`,
    session: async () => {
      const secrets = new SecretsManagerClient({
        endpoint: info.awsServicesEndpoint,
        region: info.region,
        credentials: LOCAL_CREDENTIALS,
      });
      const secret = await secrets.send(
        new GetSecretValueCommand({ SecretId: SECRET_NAMES.session }),
      );
      const { accessToken } = JSON.parse(secret.SecretString ?? '{}') as { accessToken?: string };
      return { server: info.ringCentral.server, ...(accessToken ? { accessToken } : {}) };
    },
    headMissingArchiveKey: async () => {
      const s3 = createS3Client({
        local: { endpoint: info.s3Endpoint, region: info.region, credentials: LOCAL_CREDENTIALS },
      });
      const status = await headArchiveProbeKey(s3, info.archiveBucket);
      return { status, readAs: 'the local S3 key', proves: LOCAL_S3_PROVES };
    },
    alarmSubscriptions: async () => undefined,
    signedStatusRequest: () => signedGetStatus(new URL(`${apiUrl}/messages/0`), info, info.region),
  };
}
