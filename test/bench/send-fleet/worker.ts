/**
 * Child process: one container of the fleet. A `send` container sends SMS in a closed loop, each
 * request with its own deadline, and honours the Retry-After of a refusal as an API caller would;
 * the `archive` worker downloads attachments as the same user; `latency` sends one at a time,
 * below the limit, to measure what the shared budget adds to a request. With `shared`, the
 * client claims its slots in the shared budget on dynalite; without, only its own pacer runs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { rateBudgetUser } from '../../../lib/aws/ringcentral.ts';
import { createDynamoRateBudget } from '../../../lib/aws/shared-rate-budget.ts';
import type { RingCentral, SharedRateBudget } from '../../../lib/ringcentral/index.ts';
import {
  createRingCentral,
  DeadlineExceededError,
  RateLimitedError,
  staticTokenSource,
} from '../../../lib/ringcentral/index.ts';
import { runAsChild, sendToParent } from '../support/child-process.ts';
import type { BenchCredentials, EmulatorFacts } from '../support/emulator-process.ts';

/** What the parent sends. */
export interface FleetWorkerInput {
  role: 'send' | 'archive' | 'latency';
  server: string;
  mediaServer: string;
  credentials: BenchCredentials;
  accessToken: string;
  facts: EmulatorFacts;
  windowScale: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Each request's deadline, from its start. */
  deadlineMs: number;
  /** Containers (clients with their own pacer and budget adapter) in this process. */
  containers: number;
  /** The shared budget on dynalite; absent: local pacing only. */
  shared?: { endpoint: string; tableName: string; holdMs: number };
  /** For `latency`: sends, alternating with and without the shared budget. */
  sends?: number;
}

/** One request as the container saw it. */
export interface FleetRecord {
  role: FleetWorkerInput['role'];
  outcome: 'sent' | 'refused' | 'rate-limited' | 'failed';
  startedAt: number;
  endedAt: number;
  deadline: number;
  retryAfterSeconds?: number;
  shared?: boolean;
  error?: string;
}

/** What the container reports. */
export interface FleetWorkerResult {
  records: FleetRecord[];
  /** 429 responses this container received. */
  tooManyRequestsSeen: number;
  /** Duration of each claim in the shared budget (store round trips, conflicts included). */
  claimMs: number[];
  storeCalls: number;
  /** DynamoDB requests made. */
  storeRequests: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** A budget that times its claims and counts its calls. */
function measured(budget: SharedRateBudget, claimMs: number[], calls: { count: number }) {
  const count = <T>(work: Promise<T>): Promise<T> => {
    calls.count += 1;
    return work;
  };
  return {
    claim: async (request: Parameters<SharedRateBudget['claim']>[0]) => {
      const started = performance.now();
      try {
        return await count(budget.claim(request));
      } finally {
        claimMs.push(performance.now() - started);
      }
    },
    learn: (key: Parameters<SharedRateBudget['learn']>[0]) => count(budget.learn(key)),
    reportPenalty: (key: Parameters<SharedRateBudget['reportPenalty']>[0]) =>
      count(budget.reportPenalty(key)),
    penaltyUntil: (key: Parameters<SharedRateBudget['penaltyUntil']>[0]) =>
      count(budget.penaltyUntil(key)),
  } satisfies SharedRateBudget;
}

function client(
  input: FleetWorkerInput,
  shared: boolean,
  result: FleetWorkerResult,
  calls: { count: number },
): RingCentral {
  const windowMs = Math.round(60_000 * input.windowScale);
  const groups = {
    Light: { limit: 50, windowMs },
    Medium: { limit: 40, windowMs },
    Heavy: { limit: 10, windowMs },
    Auth: { limit: 5, windowMs },
  };
  const dynamo = new DynamoDBClient({
    endpoint: input.shared?.endpoint ?? 'http://127.0.0.1:1',
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  dynamo.middlewareStack.add(
    (next) => (args) => {
      result.storeRequests += 1;
      return next(args);
    },
    { step: 'initialize' },
  );
  const budget =
    shared && input.shared
      ? createDynamoRateBudget({
          tableName: input.shared.tableName,
          client: dynamo,
          holdMs: input.shared.holdMs,
          learnIntervalMs: windowMs / 4,
        })
      : undefined;
  return createRingCentral({
    server: input.server,
    mediaServer: input.mediaServer,
    tokenSource: staticTokenSource(input.accessToken),
    limits: {
      groups,
      backoff: {
        baseMs: Math.max(50, 2_000 * input.windowScale),
        maxMs: 30_000 * input.windowScale,
      },
      defaultRetryAfterMs: 30_000 * input.windowScale,
      ...(budget
        ? {
            shared: {
              budget: measured(budget, result.claimMs, calls),
              user: rateBudgetUser(input.credentials),
              penaltyCheckMs: Math.max(50, windowMs / 40),
            },
          }
        : {}),
    },
    hooks: {
      onRateLimited: () => {
        result.tooManyRequestsSeen += 1;
      },
    },
  });
}

/** Runs one request and records how it ended. */
async function attempt(
  role: FleetWorkerInput['role'],
  deadlineMs: number,
  work: (deadline: number) => Promise<void>,
): Promise<FleetRecord> {
  const startedAt = Date.now();
  const deadline = startedAt + deadlineMs;
  try {
    await work(deadline);
    return { role, outcome: 'sent', startedAt, endedAt: Date.now(), deadline };
  } catch (error) {
    const endedAt = Date.now();
    const base = { role, startedAt, endedAt, deadline, error: String(error).slice(0, 200) };
    if (error instanceof RateLimitedError) return { ...base, outcome: 'rate-limited' };
    // Refused before sending: the HTTP layer answers 503 with Retry-After (lib/runtime/problem.ts).
    if (error instanceof DeadlineExceededError && error.method === undefined) {
      const retryAfterSeconds = Math.max(1, Math.ceil((error.waitMs ?? 5_000) / 1000));
      return { ...base, outcome: 'refused', retryAfterSeconds };
    }
    return { ...base, outcome: 'failed' };
  }
}

/** When everyone starts and stops, sent by the parent once every process is ready. */
interface Go {
  startAt: number;
  stopAt: number;
}

/** Tells the parent this process is ready and waits for the common start. */
function ready(): Promise<Go> {
  return new Promise((resolve) => {
    process.on('message', (message: { type?: string } & Partial<Go>) => {
      if (message.type === 'go') {
        resolve({ startAt: message.startAt ?? 0, stopAt: message.stopAt ?? 0 });
      }
    });
    sendToParent({ type: 'ready' });
  });
}

/** Small attachments of the mailbox, for the archive worker to download over and over. */
async function attachmentUris(rc: RingCentral): Promise<string[]> {
  const uris: string[] = [];
  const dateFrom = new Date(Date.now() - 365 * 86_400_000).toISOString();
  for await (const page of rc.messages.list({ dateFrom, perPage: 100 })) {
    for (const record of page.records) {
      for (const attachment of record.attachments ?? []) {
        if (attachment.uri && (attachment.size ?? 0) < 256 * 1024) uris.push(attachment.uri);
      }
    }
    break;
  }
  if (uris.length === 0) throw new Error('the mailbox has no small attachments to download');
  return uris;
}

/** One container's closed loop of requests until the common stop. */
async function loop(
  input: FleetWorkerInput,
  rc: RingCentral,
  uris: readonly string[],
  go: Go,
  result: FleetWorkerResult,
): Promise<void> {
  const { facts } = input;
  let sequence = 0;
  const lane = async (): Promise<void> => {
    while (Date.now() < go.stopAt) {
      const index = sequence++;
      const record = await attempt(input.role, input.deadlineMs, async (deadline) => {
        if (input.role === 'archive') {
          const content = await rc.attachments.read(
            { uri: uris[index % uris.length] ?? '' },
            { deadline },
          );
          for await (const _chunk of content.stream) {
            // Drained: the download counts once, like the archive's.
          }
          return;
        }
        await rc.sms.send(
          { from: facts.ownerSmsNumber, to: [facts.otherSmsNumber], text: `fleet ${index}` },
          { deadline },
        );
      });
      result.records.push(record);
      // A refused caller comes back after Retry-After, as the API tells it to.
      if (record.retryAfterSeconds !== undefined) {
        await sleep(Math.min(record.retryAfterSeconds * 1000, go.stopAt - Date.now()));
      }
    }
  };
  await Promise.all(Array.from({ length: input.concurrency }, lane));
}

runAsChild<FleetWorkerInput, FleetWorkerResult>(async (input) => {
  const result: FleetWorkerResult = {
    records: [],
    tooManyRequestsSeen: 0,
    claimMs: [],
    storeCalls: 0,
    storeRequests: 0,
  };
  const calls = { count: 0 };
  if (input.role === 'latency') {
    const clients = [client(input, true, result, calls), client(input, false, result, calls)];
    await ready();
    for (let index = 0; index < (input.sends ?? 20); index += 1) {
      const shared = index % 2 === 0;
      const rc = clients[shared ? 0 : 1] as RingCentral;
      const record = await attempt('latency', input.deadlineMs, (deadline) =>
        rc.sms
          .send(
            {
              from: input.facts.ownerSmsNumber,
              to: [input.facts.otherSmsNumber],
              text: `l${index}`,
            },
            { deadline },
          )
          .then(() => undefined),
      );
      result.records.push({ ...record, shared });
    }
  } else {
    const clients = Array.from({ length: input.containers }, () =>
      client(input, input.shared !== undefined, result, calls),
    );
    const uris = input.role === 'archive' ? await attachmentUris(clients[0] as RingCentral) : [];
    const go = await ready();
    await sleep(go.startAt - Date.now());
    await Promise.all(clients.map((rc) => loop(input, rc, uris, go, result)));
  }
  result.storeCalls = calls.count;
  return result;
});
