/**
 * Child process of the send-sms latency benchmark: builds the deployed send-sms handler (local
 * DynamoDB for idempotency, a fake Secrets Manager holding a live session) and times warm handler
 * invocations against bare ky calls to the same RingCentral endpoint, interleaved.
 */
import { randomUUID } from 'node:crypto';
import { CachePersistenceLayer } from '@aws-lambda-powertools/idempotency/cache';
import ky from 'ky';
import { createOAuthClient } from '../../../lib/ringcentral/index.ts';
import { fakeSecretsManager } from '../../support/aws-fakes.ts';
import { startDynalite } from '../../support/dynalite.ts';
import { httpApiEvent, lambdaContext } from '../../support/events.ts';
import { runAsChild } from '../support/child-process.ts';
import type { BenchCredentials } from '../support/emulator-process.ts';

/** What the parent sends. */
export interface SendLatencyInput {
  server: string;
  credentials: BenchCredentials;
  from: string;
  to: string;
  warmup: number;
  iterations: number;
}

/** Milliseconds per call of each variant, in the order measured. */
export interface SendLatencyResult {
  bareKyMs: number[];
  /** The deployed handler with its idempotency records in an in-process store. */
  handlerMs: number[];
  /** The deployed handler with its idempotency records in dynalite (local DynamoDB). */
  handlerDynamoMs: number[];
  /** Handler statuses other than 202 (should stay empty). */
  failures: number[];
}

/**
 * A Valkey-like in-process store for Powertools' CachePersistenceLayer (SET with NX and EX, GET,
 * DEL): the idempotency protocol in full, without a database round trip.
 */
function inProcessCache() {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const live = (name: string) => {
    const entry = entries.get(name);
    if (entry && entry.expiresAt <= Date.now()) entries.delete(name);
    return entries.get(name);
  };
  return {
    get: async (name: string) => live(name)?.value ?? null,
    set: async (name: string, value: unknown, options?: unknown) => {
      const { NX, EX } = (options ?? {}) as { NX?: boolean; EX?: number };
      if (NX && live(name)) return null;
      entries.set(name, {
        value: String(value),
        expiresAt: EX === undefined ? Number.POSITIVE_INFINITY : Date.now() + EX * 1000,
      });
      return 'OK';
    },
    del: async (names: string[]) => names.filter((name) => entries.delete(name)).length,
  };
}

runAsChild<SendLatencyInput, SendLatencyResult>(async (input) => {
  const oauth = createOAuthClient({
    server: input.server,
    clientId: input.credentials.clientId,
    clientSecret: input.credentials.clientSecret,
  });
  const session = await oauth.jwtGrant(input.credentials.jwt);
  const dynamo = await startDynalite();
  const tableName = await dynamo.createStateTable();
  const secrets = fakeSecretsManager(
    {
      credentials: { ...input.credentials, server: input.server },
      session: {
        accessToken: session.accessToken,
        refreshToken: session.refreshToken ?? '',
        expiresAt: new Date(session.expiresAt).toISOString(),
        refreshExpiresAt: new Date(
          session.refreshTokenExpiresAt ?? session.expiresAt,
        ).toISOString(),
      },
    },
    { allInstances: true },
  );
  Object.assign(process.env, {
    STATE_TABLE_NAME: tableName,
    CREDENTIALS_SECRET_ID: 'credentials',
    SESSION_SECRET_ID: 'session',
    SMS_FROM: input.from,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  });
  const module = await import('../../../functions/send-sms.ts');
  const deployed = module.dependenciesFromEnvironment();
  const handlerDynamo = module.createHandler(deployed);
  const handler = module.createHandler({
    ...deployed,
    persistence: new CachePersistenceLayer({ client: inProcessCache() }),
  });
  // The handler's JSON logs and EMF metrics are still produced, as in Lambda; only not printed.
  process.stdout.write = (() => true) as typeof process.stdout.write;

  const smsUrl = `${input.server}/restapi/v1.0/account/~/extension/~/sms`;
  const body = { from: input.from, to: [input.to], text: 'bench' };
  const bareKy = async () => {
    await ky
      .post(smsUrl, {
        headers: { authorization: `Bearer ${session.accessToken}` },
        json: { from: { phoneNumber: input.from }, to: [{ phoneNumber: input.to }], text: 'bench' },
        retry: 0,
      })
      .json();
  };
  const failures: number[] = [];
  /** A handler call whose event is built beforehand: the fixture's own validation is not timed. */
  const prepared = (target: typeof handler) => () => {
    const event = httpApiEvent({
      path: '/sms',
      headers: { 'idempotency-key': randomUUID() },
      body,
      iamCaller: 'arn:aws:iam::123456789012:user/bench',
    });
    const context = lambdaContext();
    return async () => {
      const response = await target(event, context);
      if (response.statusCode !== 202) failures.push(response.statusCode ?? 0);
    };
  };
  const viaHandler = prepared(handler);
  const viaHandlerDynamo = prepared(handlerDynamo);
  const bareKyPrepared = () => bareKy;
  const time = async (prepare: () => () => Promise<void>) => {
    const call = prepare();
    const started = performance.now();
    await call();
    return performance.now() - started;
  };

  for (let index = 0; index < input.warmup; index += 1) {
    await time(bareKyPrepared);
    await time(viaHandler);
    await time(viaHandlerDynamo);
  }
  failures.length = 0;
  const series = {
    bareKyMs: [] as number[],
    handlerMs: [] as number[],
    handlerDynamoMs: [] as number[],
  };
  const calls = [
    { call: bareKyPrepared, into: series.bareKyMs },
    { call: viaHandler, into: series.handlerMs },
    { call: viaHandlerDynamo, into: series.handlerDynamoMs },
  ];
  for (let index = 0; index < input.iterations; index += 1) {
    // Rotate which goes first so none always meets a freshly used connection.
    for (let offset = 0; offset < calls.length; offset += 1) {
      const { call, into } = calls[(index + offset) % calls.length]!;
      into.push(await time(call));
    }
  }
  secrets.restore();
  await dynamo.stop();
  return { ...series, failures };
});
