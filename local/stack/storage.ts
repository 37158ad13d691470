/**
 * The local S3 (s3rver, objects as files under a directory, so the archive can be browsed on
 * disk) and the local DynamoDB (dynalite, in memory) with the state table the stack creates.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

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

/** A running s3rver. */
export interface LocalS3 {
  endpoint: string;
  /** Where the objects are on disk: `<directory>/<bucket>/<key>._S3rver_object`. */
  directory: string;
  stop(): Promise<void>;
}

/** Starts s3rver on a free port with `buckets` created (existing data is kept). */
export async function startLocalS3(options: {
  directory: string;
  buckets: readonly string[];
}): Promise<LocalS3> {
  const S3rver = require('s3rver') as S3rverConstructor;
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: options.directory,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory: options.directory,
    stop: () => server.close(),
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
    await client.send(
      new CreateTableCommand({
        TableName: options.tableName,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, stop };
}
