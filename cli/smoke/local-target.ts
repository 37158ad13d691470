/**
 * The running `npm start` as a smoke target, from its `<dataDir>/stack.json`: the session secret
 * in the local Secrets Manager, the local S3, and the local gateway signed with the stack's key.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createS3Client } from '../../lib/aws/s3-client.ts';
import { type LocalStackInfo, SECRET_NAMES } from '../../local/stack/stack.ts';
import type { SmokeTarget } from './checks.ts';
import { signedGetStatus } from './signed-get.ts';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** No running npm start where the command looked. */
export class NoRunningStackError extends Error {
  override readonly name = 'NoRunningStackError';
}

/** The S3 status of a failed call (404, 403, ...), or 0 when it was no HTTP answer. */
function statusOf(error: unknown): number {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ?? 0;
}

/** A key under archive/ that no message ever has. */
function missingArchiveKey(): string {
  return `archive/smoke-check/${Date.now()}-${Math.random().toString(36).slice(2)}/message.json`;
}

/**
 * HEADs a key under archive/ in `bucket` that no message ever has: 200 if it exists, else the
 * status S3 answered (404, 403, ...), or 0 when no HTTP answer came.
 */
export async function headMissingArchiveKey(s3: S3Client, bucket: string): Promise<number> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: missingArchiveKey() }));
    return 200;
  } catch (error) {
    return statusOf(error);
  }
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
    headMissingArchiveKey: () =>
      headMissingArchiveKey(
        createS3Client({
          local: { endpoint: info.s3Endpoint, region: info.region, credentials: LOCAL_CREDENTIALS },
        }),
        info.archiveBucket,
      ),
    alarmSubscriptions: async () => undefined,
    signedStatusRequest: () => signedGetStatus(new URL(`${apiUrl}/messages/0`), info, info.region),
  };
}
