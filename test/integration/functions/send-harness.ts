/**
 * What the send function tests share: the local RingCentral, dynalite with the state table, a
 * fake Secrets Manager holding the credentials and a live session, and a way to call a handler
 * with a real API Gateway (payload 2.0) event. The functions build their own clients from the
 * environment (`dependenciesFromEnvironment`), so a test exercises the deployed wiring; mixing in
 * clients built by the test would also mix two copies of the error classes after a module reset.
 */
import { randomUUID } from 'node:crypto';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { EmulatorOptions, RunningEmulator } from '../../../local/ringcentral/index.ts';
import { startEmulator } from '../../../local/ringcentral/index.ts';
import type { FakeSecretsManager } from '../../support/aws-fakes.ts';
import { fakeSecretsManager } from '../../support/aws-fakes.ts';
import type { LocalDynamo } from '../../support/dynalite.ts';
import { startDynalite } from '../../support/dynalite.ts';
import { httpApiEvent, lambdaContext } from '../../support/events.ts';
import { loginSession } from '../../support/login-session.ts';

/** Secret ids the harness stores. */
export const CREDENTIALS_SECRET_ID = 'rc/credentials';
export const SESSION_SECRET_ID = 'rc/session';

/** A handler of an HTTP API route. */
export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** A response with its body parsed. */
export interface CallResult {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** The running local services of a send test. */
export interface SendHarness {
  emulator: RunningEmulator;
  dynamo: LocalDynamo;
  tableName: string;
  secrets: FakeSecretsManager;
  stop(): Promise<void>;
}

/** Starts the local RingCentral, dynalite and the fake secrets. */
export async function startSendHarness(
  emulatorOptions: EmulatorOptions = { rateLimits: { enabled: false } },
  upstreamUrl?: string,
): Promise<SendHarness> {
  const emulator = await startEmulator(emulatorOptions);
  const dynamo = await startDynalite();
  const tableName = await dynamo.createStateTable();
  // Every client of the class: the function modules' own (module-scope) clients read it too.
  const secrets = fakeSecretsManager(
    {
      [CREDENTIALS_SECRET_ID]: {
        ...emulator.credentials,
        server: upstreamUrl ?? emulator.url,
        mediaServer: emulator.mediaUrl,
      },
      [SESSION_SECRET_ID]: await loginSession(emulator),
    },
    { allInstances: true },
  );
  return {
    emulator,
    dynamo,
    tableName,
    secrets,
    stop: async () => {
      secrets.restore();
      await Promise.all([emulator.stop(), dynamo.stop()]);
    },
  };
}

/**
 * Sets environment variables as a deployed function sees them (a function module validates its
 * configuration when imported) and returns what puts the previous values back.
 */
export function setEnvironment(variables: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(variables);
  return () => apply(saved);
}

/** The environment of a deployed send function pointed at the harness's services. */
export function functionEnvironment(
  harness: SendHarness,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    STATE_TABLE_NAME: harness.tableName,
    CREDENTIALS_SECRET_ID,
    SESSION_SECRET_ID,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: harness.dynamo.endpoint,
    ...extra,
  };
}

/** The IAM caller of a request that names none. */
export const DEFAULT_CALLER = 'arn:aws:iam::123456789012:user/caller';

/** A new idempotency key. */
export function newKey(): string {
  return randomUUID();
}

/** POSTs a JSON body to a handler through a real API Gateway v2 event. */
export async function post(
  handler: HttpHandler,
  path: string,
  body: unknown,
  init: {
    key?: string;
    headers?: Record<string, string>;
    remainingMs?: number;
    /** The IAM caller's ARN as API Gateway gives it; a fixed IAM user by default. */
    caller?: string;
  } = {},
): Promise<CallResult> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(init.key === undefined ? {} : { 'idempotency-key': init.key }),
    ...init.headers,
  };
  const event = httpApiEvent({
    path,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    iamCaller: init.caller ?? DEFAULT_CALLER,
  });
  const response = await handler(event, lambdaContext({ remainingMs: init.remainingMs }));
  return parseResponse(response);
}

/** Status, lower-case headers and the parsed JSON body of a handler's answer. */
export function parseResponse(response: APIGatewayProxyStructuredResultV2): CallResult {
  const headers = Object.fromEntries(
    Object.entries(response.headers ?? {}).map(([name, value]) => [
      name.toLowerCase(),
      String(value),
    ]),
  );
  return {
    status: response.statusCode ?? 0,
    headers,
    body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {},
  };
}
