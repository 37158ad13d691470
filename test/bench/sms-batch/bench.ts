/**
 * sms-batch: 10,000 recipients through POST /sms/batches (the send-sms-batch handler with its
 * deployed pieces: the client, the idempotency store and the batch ledger on dynalite) against the
 * local RingCentral with RingCentral's real rate limits, counted by RingCentral operation; beside
 * it, the time 10,000 single sends take at the Medium group's 40 a minute (computed: each send is
 * one request, so no client can do better).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createIdempotencyPersistence } from '../../../lib/aws/idempotency.ts';
import { createSentBatchLedger } from '../../../lib/aws/sent-batch-ledger.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import {
  createJwtTokenSource,
  createRingCentral,
  DEFAULT_GROUP_LIMITS,
  MAX_A2P_MESSAGES_PER_BATCH,
} from '../../../lib/ringcentral/index.ts';
import { type Exchange, startEmulator } from '../../../local/ringcentral/index.ts';
import { startDynalite } from '../../support/dynalite.ts';
import { httpApiEvent, lambdaContext } from '../../support/events.ts';
import { benchResult, goal, round } from '../goals.ts';
import { SMS_BATCH_RECIPIENTS as RECIPIENTS } from '../settings.ts';
import type { BenchResult } from '../types.ts';

const CALLER = 'arn:aws:sts::123456789012:assumed-role/notifications/bench';
/** API Gateway gives up on an integration after this long. */
const API_GATEWAY_TIMEOUT_MS = 29_000;

/** Operation of an exchange, by its path (the a2p-sms paths, the sender check, OAuth). */
function operationOf(exchange: Exchange): string {
  if (exchange.path.endsWith('/a2p-sms/batches')) return 'createA2PSMS';
  if (exchange.path.includes('/a2p-sms/batches/')) return 'readA2PBatch';
  if (exchange.path.endsWith('/a2p-sms/messages')) return 'listA2PSMS';
  if (exchange.path.endsWith('/a2p-sms/opt-outs')) return 'readA2PSMSOptOuts';
  if (exchange.path.endsWith('/phone-number')) return 'listExtensionPhoneNumbers';
  if (exchange.path.startsWith('/restapi/oauth/')) return 'oauth';
  return exchange.path;
}

/** The send-sms-batch handler with its deployed pieces on the local services. */
async function batchHandler(
  emulatorUrl: string,
  credentials: Record<string, string>,
  tableName: string,
  client: DynamoDBClient,
  from: string,
) {
  // The module validates its environment when imported; these values are only validated.
  Object.assign(process.env, {
    STATE_TABLE_NAME: tableName,
    CREDENTIALS_SECRET_ID: 'bench/credentials',
    SESSION_SECRET_ID: 'bench/session',
    SMS_FROM: from,
    LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const { createHandler } = await import('../../../functions/send-sms-batch.ts');
  const tokenSource = createJwtTokenSource({
    server: emulatorUrl,
    clientId: credentials.clientId ?? '',
    clientSecret: credentials.clientSecret ?? '',
    jwt: credentials.jwt ?? '',
  });
  const ringCentral = createRingCentral({ server: emulatorUrl, tokenSource });
  return createHandler({
    a2pFrom: from,
    a2pFromSetting: 'SMS_FROM',
    persistence: createIdempotencyPersistence({ tableName, client, functionName: 'bench' }),
    ledger: createSentBatchLedger(createStateTable({ tableName, client })),
    ringCentral: async () => ringCentral,
  });
}

/**
 * 10,000 recipients in one batch request vs 10,000 single sends at 40 a minute.
 * Its name and description: test/bench/benchmarks.ts.
 */
export async function runSmsBatchBenchmark(): Promise<BenchResult> {
  const startedAt = Date.now();
  const exchanges: Exchange[] = [];
  const emulator = await startEmulator({
    mailbox: 'default',
    onExchange: (exchange) => exchanges.push(exchange),
  });
  const dynamo = await startDynalite();
  try {
    const from = emulator.mailbox.extensions[0]?.smsNumbers[0] ?? '+16505550101';
    emulator.enableA2pSender(from);
    // Recipients who replied STOP are dropped before the batch: 1% of the list.
    const recipients = Array.from({ length: RECIPIENTS }, (_, index) => ({
      to: `+1415${String(index).padStart(7, '0')}`,
    }));
    for (let index = 0; index < RECIPIENTS; index += 100) {
      emulator.a2p.optOut(from, recipients[index]?.to ?? '');
    }
    const tableName = await dynamo.createStateTable();
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const handler = await batchHandler(
      emulator.url,
      emulator.credentials as unknown as Record<string, string>,
      tableName,
      client,
      from,
    );
    const body = JSON.stringify({ text: 'Your order has shipped.', recipients });
    const event = httpApiEvent({
      path: '/sms/batches',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'bench-batch-1' },
      body,
      iamCaller: CALLER,
    });
    const sendStarted = performance.now();
    const response = await handler(event, lambdaContext({ remainingMs: API_GATEWAY_TIMEOUT_MS }));
    const sendMs = performance.now() - sendStarted;
    const answer = JSON.parse(String(response.body ?? '{}')) as {
      batchSize?: number;
      refused?: unknown[];
    };
    const api = exchanges.filter((exchange) => operationOf(exchange) !== 'oauth');
    const byOperation = new Map<string, number>();
    for (const exchange of api) {
      byOperation.set(operationOf(exchange), (byOperation.get(operationOf(exchange)) ?? 0) + 1);
    }
    const creates = byOperation.get('createA2PSMS') ?? 0;
    const needed = Math.ceil(
      (RECIPIENTS - (answer.refused?.length ?? 0)) / MAX_A2P_MESSAGES_PER_BATCH,
    );
    const tooMany = emulator.stats().tooManyRequestsByGroup;
    const singleSendsMs =
      (RECIPIENTS / DEFAULT_GROUP_LIMITS.Medium.limit) * DEFAULT_GROUP_LIMITS.Medium.windowMs;
    return benchResult('sms-batch', startedAt, {
      figures: [
        { name: 'recipients', value: RECIPIENTS, unit: 'count' },
        {
          name: 'accepted by RingCentral (batchSize)',
          value: answer.batchSize ?? 0,
          unit: 'count',
        },
        { name: 'refused as opted out', value: answer.refused?.length ?? 0, unit: 'count' },
        { name: 'request body', value: round(Buffer.byteLength(body) / 1024, 1), unit: 'KiB' },
        { name: 'RingCentral requests: createA2PSMS', value: creates, unit: 'count' },
        {
          name: 'RingCentral requests: opt-out list',
          value: byOperation.get('readA2PSMSOptOuts') ?? 0,
          unit: 'count',
        },
        {
          name: 'RingCentral requests: sender check (phone numbers)',
          value: byOperation.get('listExtensionPhoneNumbers') ?? 0,
          unit: 'count',
        },
        { name: 'RingCentral requests in all (no OAuth)', value: api.length, unit: 'count' },
        { name: 'POST /sms/batches answered in', value: round(sendMs, 0), unit: 'ms' },
        {
          name: '10,000 single sends at 40/min (computed)',
          value: round(singleSendsMs / 1000, 0),
          unit: 's',
        },
        { name: 'single sends / batch time', value: round(singleSendsMs / sendMs, 0), unit: 'x' },
      ],
      goals: [
        goal('answered 202', response.statusCode ?? 0, '==', 202, 'status'),
        goal(
          'createA2PSMS requests == ceil(recipients sent / 10,000)',
          creates,
          '==',
          needed,
          'requests',
        ),
        goal('RingCentral requests in all <= 3', api.length, '<=', 3, 'requests'),
        goal(
          '429s from RingCentral',
          Object.values(tooMany).reduce((a, b) => a + b, 0),
          '==',
          0,
          'count',
        ),
        goal(
          'answered within API Gateway’s 29 s',
          round(sendMs, 0),
          '<',
          API_GATEWAY_TIMEOUT_MS,
          'ms',
        ),
      ],
      notes: [
        `single sends: ${RECIPIENTS} POST .../sms (Medium, one recipient each) take ${round(singleSendsMs / 60_000, 0)} min at ${DEFAULT_GROUP_LIMITS.Medium.limit} a minute, however they are paced`,
      ],
    });
  } finally {
    await emulator.stop();
    await dynamo.stop();
  }
}
