/**
 * Where the backfill reads from and writes to, decided from the environment:
 *
 * - RingCentral: RINGCENTRAL_SERVER + RINGCENTRAL_CLIENT_ID + RINGCENTRAL_CLIENT_SECRET +
 *   RINGCENTRAL_JWT (and RINGCENTRAL_MEDIA_SERVER, optional) -> that account; otherwise the local
 *   RingCentral of a running `npm start` (found through `<LOCAL_DATA_DIR>/stack.json`), otherwise
 *   a local RingCentral started here with its default mailbox.
 * - S3: ARCHIVE_BUCKET -> that bucket with the SDK's standard configuration (AWS_REGION,
 *   credentials; AWS_ENDPOINT_URL_S3 for a local store, addressed path-style); otherwise the archive bucket of a running `npm start`,
 *   otherwise s3rver started here on the same directory `npm start` uses (`.local/s3`).
 * - Locators (message id -> message.json key): with ARCHIVE_BUCKET, the deployment's state table
 *   STATE_TABLE_NAME (AWS_ENDPOINT_URL_DYNAMODB for a local one); otherwise the state table of a
 *   running `npm start`, otherwise dynalite started here (in memory: the locators go with it).
 *
 * Everything started here is stopped by `close()`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CustodyHeadStore } from '../../lib/archive/custody-ports.ts';
import type { LocatorStore, ObjectStore } from '../../lib/archive/ports.ts';
import { createCustodyHeadStore } from '../../lib/aws/custody-head-store.ts';
import { createLocatorStore } from '../../lib/aws/locator-store.ts';
import { createS3Client } from '../../lib/aws/s3-client.ts';
import { createS3ObjectStore } from '../../lib/aws/s3-object-store.ts';
import { createStateTable, type StateTable } from '../../lib/aws/state-table.ts';
import {
  createJwtTokenSource,
  createRingCentral,
  type JwtTokenSource,
  type RingCentral,
} from '../../lib/ringcentral/index.ts';
import { resolveCredentials, startEmulator } from '../../local/ringcentral/index.ts';
import { localArchiveBucket, startLocalDynamo, startLocalS3 } from '../../local/stack/storage.ts';

/** The bucket `npm start` archives into; the backfill writes to the same one locally. */
export const LOCAL_ARCHIVE_BUCKET = 'local-message-archive';

/** What the backfill talks to, with a description for the terminal. */
export interface BackfillTargets {
  ringCentral: RingCentral;
  objects: ObjectStore;
  locators: LocatorStore;
  /** The custody chains' heads, in the same state table as the locators. */
  custodyHeads: CustodyHeadStore;
  /** Lines saying plainly what is used. */
  description: string[];
  /** Ends the RingCentral session and stops whatever was started here. */
  close(): Promise<void>;
}

export interface RunningStackFile {
  ringCentral?: { mode?: string; server?: string; mediaServer?: string };
  s3Endpoint?: string;
  archiveBucket?: string;
  archiveDirectory?: string;
  dynamodbEndpoint?: string;
  tableName?: string;
  region?: string;
}

/** Thrown when the environment names a bucket but not where its locators go. */
export class BackfillTargetsError extends Error {
  override readonly name = 'BackfillTargetsError';
}

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

/** Resolves (and starts, where needed) what the backfill uses. */
export async function openBackfillTargets(
  env: NodeJS.ProcessEnv,
  dataDir: string,
): Promise<BackfillTargets> {
  const stops: Array<() => Promise<void>> = [];
  const description: string[] = [];
  const stack = await runningStack(dataDir);
  try {
    let server: string;
    let mediaServer: string | undefined;
    let credentials: { clientId: string; clientSecret: string; jwt: string };
    if (
      env.RINGCENTRAL_SERVER &&
      env.RINGCENTRAL_CLIENT_ID &&
      env.RINGCENTRAL_CLIENT_SECRET &&
      env.RINGCENTRAL_JWT
    ) {
      server = env.RINGCENTRAL_SERVER;
      mediaServer = env.RINGCENTRAL_MEDIA_SERVER;
      credentials = {
        clientId: env.RINGCENTRAL_CLIENT_ID,
        clientSecret: env.RINGCENTRAL_CLIENT_SECRET,
        jwt: env.RINGCENTRAL_JWT,
      };
      description.push(`RingCentral: ${server} (from RINGCENTRAL_SERVER, not the local one)`);
    } else if (stack?.ringCentral?.mode === 'local' && stack.ringCentral.server) {
      server = stack.ringCentral.server;
      mediaServer = stack.ringCentral.mediaServer;
      credentials = resolveCredentials();
      description.push(`RingCentral: the local one of the running npm start (${server})`);
    } else {
      const emulator = await startEmulator({});
      stops.push(() => emulator.stop());
      server = emulator.url;
      mediaServer = emulator.mediaUrl;
      credentials = emulator.credentials;
      description.push(`RingCentral: a local one started for this run (${server})`);
    }
    const tokenSource: JwtTokenSource = createJwtTokenSource({ server, ...credentials });
    const ringCentral = createRingCentral({
      server,
      ...(mediaServer ? { mediaServer } : {}),
      tokenSource,
    });

    let objects: ObjectStore;
    let locators: LocatorStore;
    let table: StateTable;
    if (env.ARCHIVE_BUCKET) {
      if (!env.STATE_TABLE_NAME) {
        throw new BackfillTargetsError(
          "STATE_TABLE_NAME is required with ARCHIVE_BUCKET: each message's locator goes to the deployment's state table",
        );
      }
      const dynamo = new DynamoDBClient({});
      stops.push(async () => dynamo.destroy());
      table = createStateTable({ tableName: env.STATE_TABLE_NAME, client: dynamo });
      locators = createLocatorStore(table);
      description.push(
        `Locators: table ${env.STATE_TABLE_NAME}${env.AWS_ENDPOINT_URL_DYNAMODB ? ` at ${env.AWS_ENDPOINT_URL_DYNAMODB}` : ''} (from STATE_TABLE_NAME)`,
      );
      // A local endpoint (s3rver, MinIO) wants path-style addressing and no default checksums.
      const client = createS3Client({ environment: env });
      stops.push(async () => client.destroy());
      objects = createS3ObjectStore({ bucket: env.ARCHIVE_BUCKET, client });
      description.push(
        `S3: bucket ${env.ARCHIVE_BUCKET}${env.AWS_ENDPOINT_URL_S3 ? ` at ${env.AWS_ENDPOINT_URL_S3}` : ''} (from ARCHIVE_BUCKET)`,
      );
    } else if (stack?.s3Endpoint && stack.dynamodbEndpoint && stack.tableName) {
      const dynamo = localDynamoClient(stack.dynamodbEndpoint, stack.region);
      stops.push(async () => dynamo.destroy());
      table = createStateTable({ tableName: stack.tableName, client: dynamo });
      locators = createLocatorStore(table);
      description.push(`Locators: table ${stack.tableName} of the running npm start`);
      const bucket = stack.archiveBucket ?? LOCAL_ARCHIVE_BUCKET;
      const client = s3rverClient(stack.s3Endpoint);
      stops.push(async () => client.destroy());
      objects = createS3ObjectStore({ bucket, client });
      description.push(
        `S3: bucket ${bucket} of the running npm start (${stack.s3Endpoint}${stack.archiveDirectory ? `, on disk in ${stack.archiveDirectory}` : ''})`,
      );
    } else {
      const tableName = 'local-state';
      const dynamoServer = await startLocalDynamo({ tableName, region: 'us-east-1' });
      stops.push(() => dynamoServer.stop());
      const dynamo = localDynamoClient(dynamoServer.endpoint);
      stops.push(async () => dynamo.destroy());
      table = createStateTable({ tableName, client: dynamo });
      locators = createLocatorStore(table);
      description.push(
        `Locators: dynalite started for this run (${dynamoServer.endpoint}, in memory: they end with the run)`,
      );
      const directory = join(dataDir, 's3');
      await mkdir(directory, { recursive: true });
      const s3 = await startLocalS3({
        directory,
        buckets: [localArchiveBucket(LOCAL_ARCHIVE_BUCKET)],
      });
      stops.push(() => s3.stop());
      const client = s3rverClient(s3.endpoint);
      stops.push(async () => client.destroy());
      objects = createS3ObjectStore({ bucket: LOCAL_ARCHIVE_BUCKET, client });
      description.push(
        `S3: s3rver started for this run (${s3.endpoint}), bucket ${LOCAL_ARCHIVE_BUCKET} on disk in ${join(directory, LOCAL_ARCHIVE_BUCKET)}`,
      );
    }
    return {
      ringCentral,
      objects,
      locators,
      custodyHeads: createCustodyHeadStore(table),
      description,
      async close() {
        try {
          if (tokenSource.session()) await tokenSource.revoke();
        } catch {
          // The session expires on its own; stopping must not fail because of it.
        }
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop();
    throw error;
  }
}
