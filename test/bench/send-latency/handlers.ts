/**
 * The send-sms latency benchmark's subjects, built in the calling process: the deployed send-sms
 * handler twice (its state-table I/O in-process, and all of it on dynalite, with a fake Secrets
 * Manager holding a live session) and a bare ky POST of the same SMS, each as a prepared call.
 */
import { randomUUID } from 'node:crypto';
import { CachePersistenceLayer } from '@aws-lambda-powertools/idempotency/cache';
import ky from 'ky';
import { rateBudgetUser } from '../../../lib/aws/ringcentral.ts';
import { createSecretsStore } from '../../../lib/aws/secrets.ts';
import { createSentMessageLedger } from '../../../lib/aws/sent-message-ledger.ts';
import { fakeSecretsManager } from '../../support/aws-fakes.ts';
import { startDynalite } from '../../support/dynalite.ts';
import { httpApiEvent, lambdaContext } from '../../support/events.ts';
import { loginSession } from '../../support/login-session.ts';
import type { BenchCredentials } from '../support/emulator-process.ts';
import { inProcessCache, inProcessRingCentral, inProcessStateTable } from './in-process-state.ts';

/** Where the local RingCentral is and who sends. */
export interface SendSmsTarget {
  server: string;
  credentials: BenchCredentials;
  from: string;
  to: string;
}

/** A call whose input is built beforehand (`prepare()`), so that only the call itself is timed. */
export type PreparedCall = () => () => Promise<void>;

/** The three subjects; `failures` collects handler statuses other than 202. */
export interface SendSmsSubjects {
  bareKy: PreparedCall;
  /** The deployed handler with all its state-table I/O in-process. */
  handler: PreparedCall;
  /** The deployed handler with all its state-table I/O in dynalite, as deployed. */
  handlerDynamo: PreparedCall;
  failures: number[];
  stop(): Promise<void>;
}

/** Logs in, starts dynalite, fakes Secrets Manager, sets the environment and builds the subjects. */
export async function sendSmsSubjects(target: SendSmsTarget): Promise<SendSmsSubjects> {
  const session = await loginSession({ url: target.server, credentials: target.credentials });
  const dynamo = await startDynalite();
  const tableName = await dynamo.createStateTable();
  const secrets = fakeSecretsManager(
    {
      credentials: { ...target.credentials, server: target.server },
      session,
    },
    { allInstances: true },
  );
  Object.assign(process.env, {
    STATE_TABLE_NAME: tableName,
    CREDENTIALS_SECRET_ID: 'credentials',
    SESSION_SECRET_ID: 'session',
    SMS_FROM: target.from,
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
    ledger: createSentMessageLedger(inProcessStateTable()),
    ringCentral: inProcessRingCentral({
      store: createSecretsStore(),
      credentialsSecretId: 'credentials',
      sessionSecretId: 'session',
      user: rateBudgetUser(target.credentials),
    }),
  });
  // The handler's JSON logs and EMF metrics are still produced, as in Lambda; only not printed.
  process.stdout.write = (() => true) as typeof process.stdout.write;

  const smsUrl = `${target.server}/restapi/v1.0/account/~/extension/~/sms`;
  const body = { from: target.from, to: [target.to], text: 'bench' };
  const bareKy = async () => {
    await ky
      .post(smsUrl, {
        headers: { authorization: `Bearer ${session.accessToken}` },
        json: {
          from: { phoneNumber: target.from },
          to: [{ phoneNumber: target.to }],
          text: 'bench',
        },
        retry: 0,
      })
      .json();
  };
  const failures: number[] = [];
  /** A handler call whose event is built beforehand: the fixture's own validation is not timed. */
  const prepared = (subject: typeof handler) => () => {
    const event = httpApiEvent({
      path: '/sms',
      headers: { 'idempotency-key': randomUUID() },
      body,
      iamCaller: 'arn:aws:iam::123456789012:user/bench',
    });
    const context = lambdaContext();
    return async () => {
      const response = await subject(event, context);
      if (response.statusCode !== 202) failures.push(response.statusCode ?? 0);
    };
  };
  return {
    bareKy: () => bareKy,
    handler: prepared(handler),
    handlerDynamo: prepared(handlerDynamo),
    failures,
    stop: async () => {
      secrets.restore();
      await dynamo.stop();
    },
  };
}
