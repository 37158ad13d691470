/**
 * The token day: a simulated day of scheduled token-refresh runs (two overlapping at every
 * tick) while warm send-sms containers serve bursts of 100 concurrent requests. The local
 * RingCentral's token clock is simulated, so a day passes in seconds; its access tokens live
 * 60 simulated minutes and a refresh kills the previous one at once. What must hold: the Auth
 * group sees at most 3 requests in any simulated hour, nothing but the refresher logs in, and no
 * caller gets a 401 or any other failure, although RingCentral does answer 401 to the requests
 * that race a rotation.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdempotencyPersistence } from '../../../lib/aws/idempotency.ts';
import { createSecretsStore, createSessionTokenSource } from '../../../lib/aws/secrets.ts';
import { createSentMessageLedger } from '../../../lib/aws/sent-message-ledger.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import { createRingCentral, type RingCentral } from '../../../lib/ringcentral/index.ts';
import { HTTP_STACK_DEFAULTS } from '../../../lib/runtime/http-stack.ts';
import { httpApiEvent, lambdaContext, scheduledEvent } from '../../support/events.ts';
import { SIMULATION_TIME_LIMIT_MS } from '../../support/time-limits.ts';
import {
  baseEnvironment,
  type EventsHarness,
  importWithEnvironment,
  SECRET_IDS,
  startEventsHarness,
} from './events-harness.ts';
import { refreshDependencies } from './token-refresh-harness.ts';

type RefreshModule = typeof import('../../../functions/token-refresh.ts');
type SmsModule = typeof import('../../../functions/send-sms.ts');

const MINUTE = 60_000;
const TICKS_PER_DAY = 48;
const BURST = 100;
const CONTAINERS = 10;
/** Every fourth tick (two simulated hours) gets a burst of 100 concurrent sends. */
const BURST_EVERY = 4;

/**
 * Budgets far above the load: pacing is another test's subject, and a send waiting for budget
 * past its deadline would answer 503 for reasons that have nothing to do with tokens. The
 * client adopts them from the X-Rate-Limit headers; UNPACED covers its first requests.
 */
const GENEROUS = { limit: 1_000_000, windowSeconds: 60 };
const UNPACED = { groups: { Medium: { limit: 1_000_000, windowMs: 60_000 } } };

/**
 * Every invocation's real-time limit: Lambda's longest. Deadlines are not this test's subject
 * either: on a loaded 2-core machine a burst of 100 sends took up to 27.6 s of real time, at the
 * edge of the HTTP stack's 29 s, and a send cut off there answers 503 or 504 for reasons that
 * have nothing to do with tokens. The simulated token clock is separate and unaffected.
 */
const INVOCATION_MS = 15 * MINUTE;
const httpStackDefaults = { ...HTTP_STACK_DEFAULTS };

let clock = Date.now();
let unauthorized = 0;
let harness: EventsHarness;
let refreshModule: RefreshModule;
let smsModule: SmsModule;

beforeAll(async () => {
  HTTP_STACK_DEFAULTS.maxDurationMs = INVOCATION_MS;
  harness = await startEventsHarness({
    emulator: {
      rateLimits: {
        groups: { Light: GENEROUS, Medium: GENEROUS, Heavy: GENEROUS, Auth: GENEROUS },
      },
      now: () => clock,
      onExchange: (exchange) => {
        if (exchange.status === 401) unauthorized += 1;
      },
    },
  });
  const environment = { ...baseEnvironment(harness), SMS_FROM: '+16505550101' };
  refreshModule = await importWithEnvironment(
    () => import('../../../functions/token-refresh.ts'),
    environment,
  );
  smsModule = await importWithEnvironment(
    () => import('../../../functions/send-sms.ts'),
    environment,
  );
});

afterAll(async () => {
  Object.assign(HTTP_STACK_DEFAULTS, httpStackDefaults);
  await harness?.stop();
});

/**
 * A warm send-sms container: its own secrets cache, RingCentral client and token cache. This is
 * createRingCentralFromSecrets' wiring (the deployed session token source) with the simulated
 * clock given to the token source, which the deployed factory does not take.
 */
function smsContainer() {
  const store = createSecretsStore({ client: harness.secrets.client });
  let client: Promise<RingCentral> | undefined;
  return smsModule.createHandler({
    smsFrom: '+16505550101',
    persistence: createIdempotencyPersistence({
      tableName: harness.tableName,
      client: harness.dynamo.client,
      functionName: 'send-sms',
    }),
    ledger: createSentMessageLedger(
      createStateTable({ tableName: harness.tableName, client: harness.dynamo.client }),
    ),
    ringCentral: (hooks) => {
      client ??= store.credentials(SECRET_IDS.credentials).then((credentials) =>
        createRingCentral({
          server: credentials.server,
          tokenSource: createSessionTokenSource(store, SECRET_IDS.session, { now: () => clock }),
          hooks,
          limits: UNPACED,
        }),
      );
      return client;
    },
  });
}

/** A token-refresh container on the simulated clock. */
function refreshContainer() {
  return refreshModule.createHandler(
    refreshDependencies(harness, {
      store: createSecretsStore({ client: harness.secrets.client }),
      now: () => clock,
    }),
  );
}

describe('token day', { timeout: SIMULATION_TIME_LIMIT_MS }, () => {
  it('keeps OAuth at the refresh schedule and never lets a 401 reach a caller', async () => {
    // Prepare
    const containers = Array.from({ length: CONTAINERS }, smsContainer);
    const refreshers = [refreshContainer(), refreshContainer()];
    const statuses = new Map<number, number>();
    const authPerTick: number[] = [];
    let sends = 0;
    const send = async (index: number) => {
      const response = await containers[index % CONTAINERS]!(
        httpApiEvent({
          path: '/sms',
          headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: { to: ['+16505550199'], text: `hello ${index}` },
          iamCaller: 'arn:aws:iam::123456789012:user/caller',
        }),
        lambdaContext({ functionName: 'send-sms', remainingMs: INVOCATION_MS }),
      );
      sends += 1;
      const status = response.statusCode ?? 0;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    };
    // The deploy-time run writes the first session.
    await refreshers[0]!({ force: true }, lambdaContext({ remainingMs: INVOCATION_MS }));
    const jwtAfterDeploy = harness.emulator.stats().oauthRequests.jwt;

    // Act: 48 ticks of 30 simulated minutes; sends race the refresh runs of each tick.
    for (let tick = 0; tick < TICKS_PER_DAY; tick += 1) {
      clock += 30 * MINUTE;
      const authBefore = harness.emulator.stats().requestsByGroup.Auth;
      const load = tick % BURST_EVERY === 0 ? BURST : 5;
      await Promise.all([
        ...refreshers.map((run) =>
          run(scheduledEvent(), lambdaContext({ remainingMs: INVOCATION_MS })),
        ),
        ...Array.from({ length: load }, (_, index) => send(tick * BURST + index)),
      ]);
      // Traffic after the run, on the tokens it left behind.
      await Promise.all(Array.from({ length: 3 }, (_, index) => send(tick * BURST + 90 + index)));
      authPerTick.push(harness.emulator.stats().requestsByGroup.Auth - authBefore);
    }

    // Assess
    const perHour = authPerTick.map((count, index) => count + (authPerTick[index + 1] ?? 0));
    const stats = harness.emulator.stats();
    expect(Object.fromEntries(statuses)).toEqual({ 202: sends });
    expect(stats.sent.sms).toBe(sends);
    expect(Math.max(...perHour)).toBeLessThanOrEqual(3);
    expect(stats.oauthRequests.jwt).toBe(jwtAfterDeploy);
    expect(stats.oauthRequests.refresh).toBeGreaterThanOrEqual(TICKS_PER_DAY);
    // The rotations did bite: RingCentral refused requests carrying just-killed tokens.
    expect(unauthorized).toBeGreaterThan(0);
  });
});
