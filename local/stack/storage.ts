/**
 * The local S3 (s3rver, objects as files under a directory, so the archive can be browsed on
 * disk, behind the Object Lock front of local/s3) and the local DynamoDB (dynalite, in memory)
 * with the state table the stack creates.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { startObjectLockFront } from '../s3/object-lock-front.ts';
import type { BucketLock } from '../s3/object-lock-rules.ts';

const require = createRequire(import.meta.url);

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
  configureBuckets: Array<{ name: string }>;
}) => S3rverInstance;
type DynaliteFactory = (options: { createTableMs?: number }) => Server;

/** A running local S3. */
export interface LocalS3 {
  endpoint: string;
  /**
   * Where the objects are on disk: `<directory>/<bucket>/<key>._S3rver_object` (the current
   * version, in a bucket with Object Lock; every version is kept apart, by id).
   */
  directory: string;
  stop(): Promise<void>;
}

/** A bucket created with Object Lock (and so versioned), with its default retention. */
export interface LockedBucket {
  name: string;
  objectLock: BucketLock;
}

/**
 * The archive bucket of `npm start`: immutable by default, as the deployed one, for a day (local
 * archives are trials; a day is enough to see a purge refused and an overwrite kept apart).
 */
export function localArchiveBucket(name: string): LockedBucket {
  return { name, objectLock: { defaultRetention: LOCAL_ARCHIVE_RETENTION } };
}

/**
 * The local archive's Object Lock retention: the bucket's default, and what the archive writes
 * every object with and purge requires (ARCHIVE_RETENTION_MODE/DAYS), as deployed with
 * `objectLock` enabled. One day, so a local archive can be cleaned up.
 */
export const LOCAL_ARCHIVE_RETENTION = { mode: 'COMPLIANCE', days: 1 } as const;

/** Starts s3rver and its Object Lock front on free ports with `buckets` (existing data is kept). */
export async function startLocalS3(options: {
  directory: string;
  buckets: ReadonlyArray<string | LockedBucket>;
}): Promise<LocalS3> {
  const S3rver = require('s3rver') as S3rverConstructor;
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: options.directory,
    configureBuckets: options.buckets.flatMap((name) =>
      typeof name === 'string' ? [{ name }] : [],
    ),
  });
  const { port } = await server.run();
  try {
    const front = await startObjectLockFront({ backend: `http://127.0.0.1:${port}` });
    for (const bucket of options.buckets) {
      if (typeof bucket !== 'string')
        await front.createLockedBucket(bucket.name, bucket.objectLock);
    }
    return {
      endpoint: front.endpoint,
      directory: options.directory,
      stop: async () => {
        await front.stop();
        await server.close();
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** The state table as the stack deploys it, for dynalite: `pk`/`sk` strings, on demand. */
export function stateTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
}

/** A running dynalite. */
export interface LocalDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts dynalite on a free port and creates the state table shaped like the deployed one
 * (`pk`/`sk` strings; TTL is not enforced locally).
 */
export async function startLocalDynamo(options: {
  tableName: string;
  region: string;
}): Promise<LocalDynamo> {
  const dynalite = require('dynalite') as DynaliteFactory;
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as Server).closeAllConnections?.();
    });
  try {
    await client.send(new CreateTableCommand(stateTableDefinition(options.tableName)));
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, stop };
}
