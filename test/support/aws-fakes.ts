import { randomUUID } from 'node:crypto';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';

const region = 'us-east-1';
const credentials = { accessKeyId: 'fake', secretAccessKey: 'fake' };

/** Options of the fakes. */
export interface FakeOptions {
  /**
   * Also fake every other client of this class, e.g. the ones a function module creates at its
   * top level. Only one such fake per class at a time; restore() it.
   */
  allInstances?: boolean;
}

interface SecretVersion {
  versionId: string;
  secretString: string;
  createdAt: Date;
}

/** A fake Secrets Manager over an in-memory map. */
export interface FakeSecretsManager {
  client: SecretsManagerClient;
  /** The current value of a secret (parsed JSON when it is JSON). */
  value(id: string): unknown;
  /** Every version stored, oldest first. */
  versions(id: string): string[];
  /** How many PutSecretValue calls the secret received. */
  putCount(id: string): number;
  /** How many GetSecretValue calls the secret received. */
  getCount(id: string): number;
  restore(): void;
}

/**
 * aws-sdk-client-mock backed by an in-memory map: GetSecretValue returns what PutSecretValue
 * stored (versions kept); an unknown id -> ResourceNotFoundException. Initial values that are not
 * strings are stored as JSON.
 */
export function fakeSecretsManager(
  initial: Record<string, unknown>,
  options?: FakeOptions,
): FakeSecretsManager {
  const client = new SecretsManagerClient({ region, credentials });
  const stub = options?.allInstances ? mockClient(SecretsManagerClient) : mockClient(client);
  const secrets = new Map<string, SecretVersion[]>();
  const puts = new Map<string, number>();
  const gets = new Map<string, number>();
  const store = (id: string, value: unknown) => {
    const secretString = typeof value === 'string' ? value : JSON.stringify(value);
    const versions = secrets.get(id) ?? [];
    versions.push({ versionId: randomUUID(), secretString, createdAt: new Date() });
    secrets.set(id, versions);
    return versions.at(-1)!;
  };
  for (const [id, value] of Object.entries(initial)) store(id, value);

  stub.on(GetSecretValueCommand).callsFake((input: { SecretId?: string }) => {
    const id = input.SecretId ?? '';
    gets.set(id, (gets.get(id) ?? 0) + 1);
    const current = secrets.get(id)?.at(-1);
    if (!current) {
      throw new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: { httpStatusCode: 400 },
      });
    }
    return {
      ARN: `arn:aws:secretsmanager:${region}:000000000000:secret:${id}`,
      Name: id,
      VersionId: current.versionId,
      SecretString: current.secretString,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: current.createdAt,
    };
  });
  stub
    .on(PutSecretValueCommand)
    .callsFake((input: { SecretId?: string; SecretString?: string }) => {
      const id = input.SecretId ?? '';
      if (!secrets.has(id)) {
        throw new ResourceNotFoundException({
          message: "Secrets Manager can't find the specified secret.",
          $metadata: { httpStatusCode: 400 },
        });
      }
      puts.set(id, (puts.get(id) ?? 0) + 1);
      const version = store(id, input.SecretString ?? '');
      return {
        ARN: `arn:aws:secretsmanager:${region}:000000000000:secret:${id}`,
        Name: id,
        VersionId: version.versionId,
        VersionStages: ['AWSCURRENT'],
      };
    });

  return {
    client,
    value: (id) => {
      const text = secrets.get(id)?.at(-1)?.secretString;
      if (text === undefined) return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    },
    versions: (id) => (secrets.get(id) ?? []).map((version) => version.secretString),
    putCount: (id) => puts.get(id) ?? 0,
    getCount: (id) => gets.get(id) ?? 0,
    restore: () => stub.restore(),
  };
}

/** A fake EventBridge that records every entry put (all accepted unless `fail` says otherwise). */
export interface FakeEventBridge {
  client: EventBridgeClient;
  entries: PutEventsRequestEntry[];
  /** How many PutEvents calls were made. */
  calls(): number;
  restore(): void;
}

/** aws-sdk-client-mock for EventBridge; `fail(entry)` returning true makes that entry fail. */
export function fakeEventBridge(
  options?: FakeOptions & { fail?: (entry: PutEventsRequestEntry) => boolean },
): FakeEventBridge {
  const client = new EventBridgeClient({ region, credentials });
  const stub = options?.allInstances ? mockClient(EventBridgeClient) : mockClient(client);
  const entries: PutEventsRequestEntry[] = [];
  let calls = 0;
  stub.on(PutEventsCommand).callsFake((input: { Entries?: PutEventsRequestEntry[] }) => {
    calls += 1;
    const results = (input.Entries ?? []).map((entry) => {
      if (options?.fail?.(entry)) {
        return { ErrorCode: 'InternalFailure', ErrorMessage: 'Injected failure' };
      }
      entries.push(entry);
      return { EventId: randomUUID() };
    });
    return {
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
      Entries: results,
    };
  });
  return { client, entries, calls: () => calls, restore: () => stub.restore() };
}

/** A fake Lambda that records asynchronous invocations. */
export interface FakeLambda {
  client: LambdaClient;
  invocations: Array<{ functionName: string; payload: unknown }>;
  restore(): void;
}

/** aws-sdk-client-mock for Lambda Invoke: answers 202 and records the parsed payload. */
export function fakeLambda(options?: FakeOptions): FakeLambda {
  const client = new LambdaClient({ region, credentials });
  const stub = options?.allInstances ? mockClient(LambdaClient) : mockClient(client);
  const invocations: FakeLambda['invocations'] = [];
  stub
    .on(InvokeCommand)
    .callsFake((input: { FunctionName?: string; Payload?: Uint8Array | string }) => {
      const raw = input.Payload;
      const text =
        raw === undefined ? '' : typeof raw === 'string' ? raw : Buffer.from(raw).toString();
      invocations.push({
        functionName: input.FunctionName ?? '',
        payload: text === '' ? undefined : (JSON.parse(text) as unknown),
      });
      return { StatusCode: 202 };
    });
  return { client, invocations, restore: () => stub.restore() };
}
