/**
 * Where the extensions command reads and writes: STATE_TABLE_NAME -> that state table with the
 * SDK's standard configuration (AWS_REGION, credentials, AWS_ENDPOINT_URL_DYNAMODB), and
 * EXTENSIONS_FUNCTION_NAME for `discover`; otherwise the running `npm start` (its
 * `<dataDir>/stack.json`: the local table and the local Lambda endpoint).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  createArchivePolicyStore,
  createExtensionRegistry,
} from '../../lib/aws/extension-registry.ts';
import { createStateTable } from '../../lib/aws/state-table.ts';
import type { ArchivePolicyStore, ExtensionRegistry } from '../../lib/extensions/ports.ts';

/** What the command talks to. */
export interface ExtensionsTargets {
  registry: ExtensionRegistry;
  policies: ArchivePolicyStore;
  /** Runs the extensions function once and returns what it returned. */
  discover(): Promise<unknown>;
  /** Says plainly which table is used. */
  description: string;
}

/** Neither a deployment's table nor a running npm start. */
export class ExtensionsTargetsError extends Error {
  override readonly name = 'ExtensionsTargetsError';
}

interface RunningStackFile {
  dynamodbEndpoint?: string;
  awsServicesEndpoint?: string;
  tableName?: string;
  region?: string;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Resolves the targets from the environment, else the running npm start of `dataDir`. */
export async function openExtensionsTargets(
  env: NodeJS.ProcessEnv,
  dataDir: string,
): Promise<ExtensionsTargets> {
  if (env.STATE_TABLE_NAME) {
    const functionName = env.EXTENSIONS_FUNCTION_NAME;
    return targets(env.STATE_TABLE_NAME, new DynamoDBClient({}), {
      description: `State table ${env.STATE_TABLE_NAME}`,
      invoke: functionName ? () => invoke(new LambdaClient({}), functionName) : undefined,
    });
  }
  const stack = await runningStack(dataDir);
  if (!stack?.dynamodbEndpoint || !stack.tableName) {
    throw new ExtensionsTargetsError(
      `No running npm start (${join(dataDir, 'stack.json')}) and no STATE_TABLE_NAME: start the local stack or name a deployment's table`,
    );
  }
  const region = stack.region ?? 'us-east-1';
  const dynamo = new DynamoDBClient({
    endpoint: stack.dynamodbEndpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
  });
  const lambdaEndpoint = stack.awsServicesEndpoint;
  return targets(stack.tableName, dynamo, {
    description: `The running npm start (table ${stack.tableName})`,
    invoke: lambdaEndpoint
      ? () =>
          invoke(
            new LambdaClient({ endpoint: lambdaEndpoint, region, credentials: LOCAL_CREDENTIALS }),
            'extensions',
          )
      : undefined,
  });
}

function targets(
  tableName: string,
  client: DynamoDBClient,
  options: { description: string; invoke: (() => Promise<unknown>) | undefined },
): ExtensionsTargets {
  const table = createStateTable({ tableName, client });
  return {
    registry: createExtensionRegistry(table),
    policies: createArchivePolicyStore(table),
    description: options.description,
    discover: async () => {
      if (!options.invoke) {
        throw new ExtensionsTargetsError(
          'discover needs EXTENSIONS_FUNCTION_NAME (the deployed extensions function)',
        );
      }
      return options.invoke();
    },
  };
}

async function runningStack(dataDir: string): Promise<RunningStackFile | undefined> {
  const file = join(dataDir, 'stack.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as RunningStackFile;
  } catch {
    return undefined;
  }
}

/** A synchronous invoke; a function error becomes an error naming it. */
async function invoke(client: LambdaClient, functionName: string): Promise<unknown> {
  const answer = await client.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify({ source: 'cli' })),
    }),
  );
  const text = answer.Payload ? new TextDecoder().decode(answer.Payload) : 'null';
  if (answer.FunctionError) {
    const failure = JSON.parse(text) as { errorType?: string; errorMessage?: string };
    throw new ExtensionsTargetsError(
      `${functionName} failed: ${failure.errorType ?? 'Error'}: ${failure.errorMessage ?? ''}`,
    );
  }
  return JSON.parse(text) as unknown;
}
