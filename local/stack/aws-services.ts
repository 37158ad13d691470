/**
 * The AWS APIs the functions call that have no local server of their own, on 127.0.0.1, speaking
 * the SDK's wire protocols so the functions run unmodified (the same code path as deployed):
 * Secrets Manager GetSecretValue/PutSecretValue and EventBridge PutEvents (JSON 1.1, chosen by
 * `X-Amz-Target`), and Lambda Invoke (REST JSON). The functions reach it through the SDK's
 * standard `AWS_ENDPOINT_URL_SECRETS_MANAGER`, `_EVENTBRIDGE` and `_LAMBDA` variables. Requests
 * of the query protocol (form-encoded, e.g. CloudFormation and STS) go to the services given by
 * {@link RunningAwsServices.serveQueries} (aws-query-services.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { QueryServices } from './aws-query-services.ts';

/** One entry of a PutEvents call. */
export interface PutEventEntry {
  EventBusName?: string;
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: number | string;
}

/** Options of {@link startAwsServices}. */
export interface AwsServicesOptions {
  /** Initial secrets by name: a string as is, anything else stored as JSON. */
  secrets: Record<string, unknown>;
  region?: string;
  /** Called for every accepted event (after it got its id). */
  onEvent?: (entry: PutEventEntry & { id: string }) => void;
  /**
   * Runs a Lambda invocation. `Event` invocations are acknowledged (202) before this settles;
   * `RequestResponse` ones answer with the payload it resolves to.
   */
  onInvoke?: (
    functionName: string,
    payload: string,
    invocationType: 'Event' | 'RequestResponse',
  ) => Promise<{ payload?: string; functionError?: string }>;
  /** Known function names; an Invoke of another -> ResourceNotFoundException. */
  functions?: readonly string[];
}

/** The running endpoint. */
export interface RunningAwsServices {
  /** One URL for all three services. */
  url: string;
  /** The current value of a secret, or undefined. */
  secret(name: string): string | undefined;
  /** How many times each secret was written. */
  writes(name: string): number;
  /** Serves query-protocol requests from now on (until then they are refused). */
  serveQueries(services: QueryServices): void;
  stop(): Promise<void>;
}

interface SecretVersion {
  versionId: string;
  value: string;
  created: number;
}

/** An AWS API error as the JSON protocols carry it. */
class AwsApiError extends Error {
  override name = 'AwsApiError';
  readonly status: number;
  readonly type: string;
  constructor(status: number, type: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readText(request);
  if (text === '') return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new AwsApiError(400, 'SerializationException', `Malformed JSON: ${String(error)}`);
  }
}

function answer(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/x-amz-json-1.1',
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': contentType,
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body));
}

/** Starts the endpoint on a free port of 127.0.0.1. */
export async function startAwsServices(options: AwsServicesOptions): Promise<RunningAwsServices> {
  const region = options.region ?? 'us-east-1';
  const secrets = new Map<string, SecretVersion[]>();
  const writes = new Map<string, number>();
  const arnOf = (name: string) => `arn:aws:secretsmanager:${region}:000000000000:secret:${name}`;
  const store = (name: string, value: string) => {
    const versions = secrets.get(name) ?? [];
    const version = { versionId: randomUUID(), value, created: Date.now() };
    // The previous versions only matter to AWSPREVIOUS; two are plenty locally.
    secrets.set(name, [...versions.slice(-1), version]);
    return version;
  };
  for (const [name, value] of Object.entries(options.secrets)) {
    store(name, typeof value === 'string' ? value : JSON.stringify(value));
  }
  const nameOf = (secretId: unknown): string => {
    const id = typeof secretId === 'string' ? secretId : '';
    const name = id.startsWith('arn:') ? id.slice(id.indexOf(':secret:') + 8) : id;
    if (!secrets.has(name)) {
      throw new AwsApiError(
        400,
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    }
    return name;
  };

  const jsonTargets: Record<string, (input: Record<string, unknown>) => unknown> = {
    'secretsmanager.GetSecretValue': (input) => {
      const name = nameOf(input.SecretId);
      const current = secrets.get(name)?.at(-1) as SecretVersion;
      return {
        ARN: arnOf(name),
        Name: name,
        VersionId: current.versionId,
        SecretString: current.value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: current.created / 1000,
      };
    },
    'secretsmanager.PutSecretValue': (input) => {
      const name = nameOf(input.SecretId);
      if (typeof input.SecretString !== 'string') {
        throw new AwsApiError(400, 'InvalidParameterException', 'SecretString is required');
      }
      const version = store(name, input.SecretString);
      writes.set(name, (writes.get(name) ?? 0) + 1);
      return {
        ARN: arnOf(name),
        Name: name,
        VersionId: version.versionId,
        VersionStages: ['AWSCURRENT'],
      };
    },
    'AWSEvents.PutEvents': (input) => {
      const entries = Array.isArray(input.Entries) ? (input.Entries as PutEventEntry[]) : [];
      if (entries.length === 0 || entries.length > 10) {
        throw new AwsApiError(400, 'ValidationException', 'Entries must hold 1 to 10 entries');
      }
      const results = entries.map((entry) => {
        if (!entry.Source || !entry.DetailType || !entry.Detail) {
          return {
            ErrorCode: 'InvalidArgument',
            ErrorMessage: 'Source, DetailType and Detail are required',
          };
        }
        const id = randomUUID();
        options.onEvent?.({ ...entry, id });
        return { EventId: id };
      });
      return {
        FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
        Entries: results,
      };
    },
  };

  const invoke = async (request: IncomingMessage, response: ServerResponse, name: string) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
    const functionName = decodeURIComponent(name).split(':').at(-1) ?? '';
    if (options.functions && !options.functions.includes(functionName)) {
      answer(
        response,
        404,
        { Type: 'User', message: `Function not found: ${functionName}` },
        'application/json',
        { 'x-amzn-errortype': 'ResourceNotFoundException' },
      );
      return;
    }
    const type = request.headers['x-amz-invocation-type'] === 'Event' ? 'Event' : 'RequestResponse';
    const payload = Buffer.concat(chunks).toString('utf8');
    const pending: Promise<{ payload?: string; functionError?: string }> =
      options.onInvoke?.(functionName, payload, type) ?? Promise.resolve({});
    if (type === 'Event') {
      // Lambda queues an asynchronous invocation and answers at once.
      pending.catch(() => undefined);
      answer(response, 202, undefined, 'application/json');
      return;
    }
    const outcome = await pending;
    answer(
      response,
      200,
      outcome.payload ?? 'null',
      'application/json',
      outcome.functionError ? { 'x-amz-function-error': outcome.functionError } : {},
    );
  };

  let queryServices: QueryServices | undefined;
  const query = async (request: IncomingMessage, response: ServerResponse) => {
    const form = new URLSearchParams(await readText(request));
    if (!queryServices) {
      throw new AwsApiError(400, 'UnknownOperationException', `Not served: ${form.get('Action')}`);
    }
    const answered = queryServices(form);
    answer(response, answered.status, answered.body, 'text/xml');
  };

  const server = createServer((request, response) => {
    const handle = async () => {
      if (String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
        await query(request, response);
        return;
      }
      const invokePath = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(
        new URL(request.url ?? '/', 'http://localhost').pathname,
      );
      if (request.method === 'POST' && invokePath) {
        await invoke(request, response, invokePath[1] ?? '');
        return;
      }
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = jsonTargets[target];
      if (!operation) {
        throw new AwsApiError(400, 'UnknownOperationException', `Not served locally: ${target}`);
      }
      answer(response, 200, operation(await readJson(request)));
    };
    handle().catch((error: unknown) => {
      const known =
        error instanceof AwsApiError
          ? error
          : new AwsApiError(500, 'InternalFailure', String(error));
      if (response.headersSent) {
        response.destroy();
        return;
      }
      answer(response, known.status, { __type: known.type, message: known.message }, undefined, {
        'x-amzn-errortype': known.type,
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    secret: (name) => secrets.get(name)?.at(-1)?.value,
    writes: (name) => writes.get(name) ?? 0,
    serveQueries: (services) => {
      queryServices = services;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
