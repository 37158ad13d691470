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
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
import {
  LOCAL_ARCHIVE_BUCKET,
  localDynamoClient,
  type RunningStackFile,
  runningStack,
  s3rverClient,
} from '../running-stack.ts';

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

/** Thrown when the environment names a bucket but not where its locators go. */
export class BackfillTargetsError extends Error {
  override readonly name = 'BackfillTargetsError';
}

/** What was started or opened so far (stopped in reverse by `close()`), and the terminal's lines. */
interface Opened {
  stops: Array<() => Promise<void>>;
  description: string[];
}

/** Where the archive's objects go, and the state table its locators and custody heads go to. */
interface Storage {
  objects: ObjectStore;
  table: StateTable;
}

/** Resolves (and starts, where needed) what the backfill uses. */
export async function openBackfillTargets(
  env: NodeJS.ProcessEnv,
  dataDir: string,
): Promise<BackfillTargets> {
  const opened: Opened = { stops: [], description: [] };
  const stack = await runningStack(dataDir);
  try {
    const { server, mediaServer, credentials } = await ringCentralLogin(env, stack, opened);
    const tokenSource: JwtTokenSource = createJwtTokenSource({ server, ...credentials });
    const ringCentral = createRingCentral({
      server,
      ...(mediaServer ? { mediaServer } : {}),
      tokenSource,
    });
    const { objects, table } = await openStorage(env, stack, dataDir, opened);
    return {
      ringCentral,
      objects,
      locators: createLocatorStore(table),
      custodyHeads: createCustodyHeadStore(table),
      description: opened.description,
      async close() {
        try {
          if (tokenSource.session()) await tokenSource.revoke();
        } catch {
          // The session expires on its own; stopping must not fail because of it.
        }
        await stopAll(opened);
      },
    };
  } catch (error) {
    await stopAll(opened);
    throw error;
  }
}

async function stopAll(opened: Opened): Promise<void> {
  for (const stop of opened.stops.reverse()) await stop();
}

/** Which RingCentral to log in to, and with what. */
interface RingCentralLogin {
  server: string;
  mediaServer?: string | undefined;
  credentials: { clientId: string; clientSecret: string; jwt: string };
}

/** The account the environment names, else the running stack's local one, else one started here. */
async function ringCentralLogin(
  env: NodeJS.ProcessEnv,
  stack: RunningStackFile | undefined,
  opened: Opened,
): Promise<RingCentralLogin> {
  if (
    env.RINGCENTRAL_SERVER &&
    env.RINGCENTRAL_CLIENT_ID &&
    env.RINGCENTRAL_CLIENT_SECRET &&
    env.RINGCENTRAL_JWT
  ) {
    const server = env.RINGCENTRAL_SERVER;
    opened.description.push(`RingCentral: ${server} (from RINGCENTRAL_SERVER, not the local one)`);
    return {
      server,
      mediaServer: env.RINGCENTRAL_MEDIA_SERVER,
      credentials: {
        clientId: env.RINGCENTRAL_CLIENT_ID,
        clientSecret: env.RINGCENTRAL_CLIENT_SECRET,
        jwt: env.RINGCENTRAL_JWT,
      },
    };
  }
  if (stack?.ringCentral?.mode === 'local' && stack.ringCentral.server) {
    const server = stack.ringCentral.server;
    opened.description.push(`RingCentral: the local one of the running npm start (${server})`);
    return {
      server,
      mediaServer: stack.ringCentral.mediaServer,
      credentials: resolveCredentials(),
    };
  }
  const emulator = await startEmulator({});
  opened.stops.push(() => emulator.stop());
  opened.description.push(`RingCentral: a local one started for this run (${emulator.url})`);
  return {
    server: emulator.url,
    mediaServer: emulator.mediaUrl,
    credentials: emulator.credentials,
  };
}

/** The deployment's bucket and table, else the running stack's, else s3rver and dynalite started here. */
async function openStorage(
  env: NodeJS.ProcessEnv,
  stack: RunningStackFile | undefined,
  dataDir: string,
  opened: Opened,
): Promise<Storage> {
  if (env.ARCHIVE_BUCKET) return deploymentStorage(env, env.ARCHIVE_BUCKET, opened);
  if (stack?.s3Endpoint && stack.dynamodbEndpoint && stack.tableName) {
    return runningStackStorage(
      { ...stack, s3Endpoint: stack.s3Endpoint, dynamodbEndpoint: stack.dynamodbEndpoint },
      stack.tableName,
      opened,
    );
  }
  return startedStorage(dataDir, opened);
}

function deploymentStorage(env: NodeJS.ProcessEnv, bucket: string, opened: Opened): Storage {
  if (!env.STATE_TABLE_NAME) {
    throw new BackfillTargetsError(
      "STATE_TABLE_NAME is required with ARCHIVE_BUCKET: each message's locator goes to the deployment's state table",
    );
  }
  const dynamo = new DynamoDBClient({});
  opened.stops.push(async () => dynamo.destroy());
  const table = createStateTable({ tableName: env.STATE_TABLE_NAME, client: dynamo });
  opened.description.push(
    `Locators: table ${env.STATE_TABLE_NAME}${env.AWS_ENDPOINT_URL_DYNAMODB ? ` at ${env.AWS_ENDPOINT_URL_DYNAMODB}` : ''} (from STATE_TABLE_NAME)`,
  );
  // A local endpoint (s3rver, MinIO) wants path-style addressing and no default checksums.
  const client = createS3Client({ environment: env });
  opened.stops.push(async () => client.destroy());
  opened.description.push(
    `S3: bucket ${bucket}${env.AWS_ENDPOINT_URL_S3 ? ` at ${env.AWS_ENDPOINT_URL_S3}` : ''} (from ARCHIVE_BUCKET)`,
  );
  return { objects: createS3ObjectStore({ bucket, client }), table };
}

function runningStackStorage(
  stack: RunningStackFile & { s3Endpoint: string; dynamodbEndpoint: string },
  tableName: string,
  opened: Opened,
): Storage {
  const dynamo = localDynamoClient(stack.dynamodbEndpoint, stack.region);
  opened.stops.push(async () => dynamo.destroy());
  const table = createStateTable({ tableName, client: dynamo });
  opened.description.push(`Locators: table ${tableName} of the running npm start`);
  const bucket = stack.archiveBucket ?? LOCAL_ARCHIVE_BUCKET;
  const client = s3rverClient(stack.s3Endpoint);
  opened.stops.push(async () => client.destroy());
  opened.description.push(
    `S3: bucket ${bucket} of the running npm start (${stack.s3Endpoint}${stack.archiveDirectory ? `, on disk in ${stack.archiveDirectory}` : ''})`,
  );
  return { objects: createS3ObjectStore({ bucket, client }), table };
}

/** dynalite in memory (the locators end with the run) and s3rver on `npm start`'s directory. */
async function startedStorage(dataDir: string, opened: Opened): Promise<Storage> {
  const tableName = 'local-state';
  const dynamoServer = await startLocalDynamo({ tableName, region: 'us-east-1' });
  opened.stops.push(() => dynamoServer.stop());
  const dynamo = localDynamoClient(dynamoServer.endpoint);
  opened.stops.push(async () => dynamo.destroy());
  const table = createStateTable({ tableName, client: dynamo });
  opened.description.push(
    `Locators: dynalite started for this run (${dynamoServer.endpoint}, in memory: they end with the run)`,
  );
  const directory = join(dataDir, 's3');
  await mkdir(directory, { recursive: true });
  const s3 = await startLocalS3({
    directory,
    buckets: [localArchiveBucket(LOCAL_ARCHIVE_BUCKET)],
  });
  opened.stops.push(() => s3.stop());
  const client = s3rverClient(s3.endpoint);
  opened.stops.push(async () => client.destroy());
  opened.description.push(
    `S3: s3rver started for this run (${s3.endpoint}), bucket ${LOCAL_ARCHIVE_BUCKET} on disk in ${join(directory, LOCAL_ARCHIVE_BUCKET)}`,
  );
  return { objects: createS3ObjectStore({ bucket: LOCAL_ARCHIVE_BUCKET, client }), table };
}
