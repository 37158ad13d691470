/**
 * The running `npm start` as the command-line tools find it: its `stack.json` in the local data
 * directory, and clients for its s3rver and dynalite with the fixed credentials they accept.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../lib/aws/s3-client.ts';

/** The bucket `npm start` archives into; the backfill writes to the same one locally. */
export const LOCAL_ARCHIVE_BUCKET = 'local-message-archive';

/** What `npm start` writes to `stack.json` about the servers it runs. */
export interface RunningStackFile {
  ringCentral?: { mode?: string; server?: string; mediaServer?: string };
  s3Endpoint?: string;
  archiveBucket?: string;
  archiveDirectory?: string;
  dynamodbEndpoint?: string;
  tableName?: string;
  region?: string;
}

/** dynalite's client: its endpoint, with the fixed credentials it accepts. */
export function localDynamoClient(endpoint: string, region = 'us-east-1'): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

async function reachable(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

/** The running `npm start` stack, when its stack.json is there and its servers answer. */
export async function runningStack(dataDir: string): Promise<RunningStackFile | undefined> {
  const file = join(dataDir, 'stack.json');
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(await readFile(file, 'utf8')) as RunningStackFile;
    if (!info.s3Endpoint || !(await reachable(info.s3Endpoint))) return undefined;
    return info;
  } catch {
    return undefined;
  }
}

/** s3rver's client: its endpoint, with the fixed credentials it accepts. */
export function s3rverClient(endpoint: string): S3Client {
  return createS3Client({
    local: {
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    },
  });
}
