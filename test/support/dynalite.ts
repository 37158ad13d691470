import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { stateTableDefinition } from '../../local/stack/storage.ts';

type DynaliteFactory = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as DynaliteFactory;

/** A local DynamoDB (dynalite, in memory) on 127.0.0.1. */
export interface LocalDynamo {
  endpoint: string;
  /** A client pointed at it (fake credentials, us-east-1). */
  client: DynamoDBClient;
  /** Creates a table shaped like the state table (pk, sk strings); returns its name. */
  createStateTable(name?: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts dynalite on a free port. Stop it in afterAll. */
export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    endpoint,
    client,
    createStateTable: async (name = `state-${randomUUID()}`) => {
      await client.send(new CreateTableCommand(stateTableDefinition(name)));
      return name;
    },
    stop: async () => {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
