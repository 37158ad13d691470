/**
 * The whole system on one machine: the local RingCentral (or a real one), s3rver, dynalite, the
 * local Secrets Manager / EventBridge / Lambda endpoint, the local API gateway and the local
 * scheduler, all on 127.0.0.1, running the functions' esbuild bundles in child processes. Used
 * by `npm start` (local/start.ts) and by the end-to-end test.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { DEFAULT_WEBHOOK_THROTTLE } from '../../infra/api-throttle.ts';
import { type RunningEmulator, startEmulator } from '../ringcentral/index.ts';
import { createQueryServices, type QueryServices } from './aws-query-services.ts';
import { type PutEventEntry, type RunningAwsServices, startAwsServices } from './aws-services.ts';
import { buildFunctionBundles, type FunctionBundles } from './bundles.ts';
import { FunctionInvocationError, hostFunction } from './function-host.ts';
import { createFunctionRegistry, type FunctionRegistry } from './function-registry.ts';
import {
  LOCAL_FUNCTION_NAMES,
  type LocalFunctionName,
  type LocalFunctionSpec,
  type LocalResources,
  localFunctionSpecs,
} from './functions.ts';
import {
  type GatewayRoute,
  IntegrationError,
  type RunningGateway,
  startGateway,
} from './gateway.ts';
import { type RunningScheduler, type ScheduledJobSpec, startScheduler } from './scheduler.ts';
import type { LocalCredentials } from './sigv4.ts';
import { describeLocalStack, LOCAL_STACK_NAME, localListingProbeRoleArn } from './stack-outputs.ts';
import { formatAccess } from './status.ts';
import { localArchiveBucket, startLocalDynamo, startLocalS3 } from './storage.ts';

/** A RingCentral account other than the local one. */
export interface RemoteRingCentral {
  server: string;
  mediaServer?: string;
  clientId: string;
  clientSecret: string;
  jwt: string;
  /** The sending number for SMS (the account's). */
  smsFrom?: string;
}

/** Options of {@link startLocalStack}; every one has a default. */
export interface LocalStackOptions {
  /** Where s3rver keeps the archive, the logs and stack.json. */
  dataDir: string;
  /** The gateway's port; default 3000, 0 for a free one. */
  apiPort?: number;
  /** The local RingCentral's platform port; default 0 (media port: 0). */
  ringCentralPort?: number;
  /** Use this RingCentral instead of the local one. */
  remote?: RemoteRingCentral;
  /** Purge for real (default: dry run). */
  purgeEnabled?: boolean;
  /** The access key the gateway accepts; default a new random one. */
  accessKey?: { accessKeyId: string; secretAccessKey: string };
  /** Compressed schedule, in ms. */
  schedule?: {
    archiveEveryMs?: number;
    tokenRefreshEveryMs?: number;
    purgeEveryMs?: number;
    subscriptionKeeperEveryMs?: number;
    extensionsEveryMs?: number;
    reconcileEveryMs?: number;
    /** The message-status poll (every minute deployed); default 30 s. */
    messageStatusEveryMs?: number;
    archiveExportEveryMs?: number;
    /**
     * When a job first runs, by function name, instead of its own first delay (archive-dispatch
     * after 1 s, archive-export after 5 s, subscription-keeper at once, purge after a minute,
     * reconcile after two, the others after one period). A test that runs jobs by hand pushes
     * them out, so that nothing it did not start competes for the machine.
     */
    firstRunAfterMs?: Readonly<Record<string, number>>;
  };
  /**
   * The local RingCentral's outbound messages stay `Queued` until a test moves them
   * (`emulator.mailbox.setMessageStatus`) instead of being delivered a moment after the send.
   */
  manualMessageStatus?: boolean;
  /** Where status lines go; default stdout. */
  print?: (line: string) => void;
}

/** Where everything is, also written to `<dataDir>/stack.json` for `npm run local:send`. */
export interface LocalStackInfo {
  /** The name the local CloudFormation describes the stack by (its outputs). */
  stackName: string;
  apiUrl: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  callerArn: string;
  ringCentral: { mode: 'local' | 'remote'; server: string; mediaServer?: string };
  s3Endpoint: string;
  dynamodbEndpoint: string;
  awsServicesEndpoint: string;
  archiveBucket: string;
  faxDocumentsBucket: string;
  /** The archive's directory on disk (s3rver's files of the archive bucket). */
  archiveDirectory: string;
  logFile: string;
  tableName: string;
  purgeDryRun: boolean;
  smsFrom: string;
  /** A number the local mailbox accepts SMS for (the second extension), or undefined. */
  smsTo?: string;
  /** A fax number of the local mailbox, or undefined. */
  faxTo?: string;
  bundlesCached: boolean;
  bundleMs: number;
  startMs: number;
}

/** An event put on the local bus, as an EventBridge rule would deliver it. */
export type LocalBusEvent = ReturnType<typeof eventBridgeEventOf>;

/** A running stack. */
export interface LocalStack {
  info: LocalStackInfo;
  /** Every event put on the local bus so far, in order (the test's view of EventBridge). */
  events(): readonly LocalBusEvent[];
  /** The local RingCentral, when it is the one in use. */
  emulator?: RunningEmulator;
  /** Runs a scheduled job now; resolves when it finished. */
  runJob(name: LocalFunctionName): Promise<void>;
  /** Stops everything; nothing is left running or listening. */
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
const ACCOUNT_ID = '000000000000';
const ARCHIVE_BUCKET = 'local-message-archive';
const FAX_DOCUMENTS_BUCKET = 'local-fax-documents';
const TABLE_NAME = 'local-state';
/** Purge candidates: nothing younger than this is even considered (dry run by default). */
const LOCAL_RETENTION_DAYS = { SMS: 30, Fax: 30, VoiceMail: 30, Pager: 30 };
/** The local Secrets Manager ids of the secrets (what a deployment names by ARN). */
export const SECRET_NAMES = {
  credentials: 'local/ringcentral-credentials',
  session: 'local/ringcentral-session',
  webhook: 'local/webhook',
} as const;
/** The HTTP API's routes, as the deployed stack's HttpApi has them. */
export const LOCAL_API_ROUTES: readonly GatewayRoute[] = [
  { method: 'POST', path: '/sms', auth: 'iam', functionName: 'send-sms' },
  { method: 'POST', path: '/fax', auth: 'iam', functionName: 'send-fax' },
  { method: 'POST', path: '/pager', auth: 'iam', functionName: 'send-pager' },
  { method: 'GET', path: '/messages/{messageId}', auth: 'iam', functionName: 'get-message' },
  { method: 'POST', path: '/sms/batches', auth: 'iam', functionName: 'send-sms-batch' },
  { method: 'GET', path: '/sms/batches/{batchId}', auth: 'iam', functionName: 'get-sms-batch' },
  // Its own throttle, the deployed default (infra/api-throttle.ts): a flood is refused with 429.
  {
    method: 'POST',
    path: '/webhook',
    auth: 'none',
    functionName: 'webhook',
    throttle: DEFAULT_WEBHOOK_THROTTLE,
  },
];

type Print = (line: string) => void;

function randomKey(length: number, alphabet: string): string {
  const bytes = randomBytes(length);
  return [...bytes].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/** A fresh access key for the gateway, shaped like an IAM user's. */
export function generateAccessKey(): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: `AKIALOCAL${randomKey(11, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
    secretAccessKey: randomBytes(30).toString('base64url').slice(0, 40),
  };
}

/** Starts the stack; on failure, whatever had started is stopped again. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const started = performance.now();
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const shutdown = createShutdown();
  try {
    const log = openFunctionLog(options.dataDir, shutdown);
    const [bundles, ringCentral, storage] = await Promise.all([
      buildFunctionBundles(LOCAL_FUNCTION_NAMES),
      startRingCentral(options, shutdown),
      startStorage(options.dataDir, shutdown),
    ]);
    const caller = localCaller(options.accessKey ?? generateAccessKey());
    const functions = createFunctionRegistry(print);
    const busEvents: LocalBusEvent[] = [];
    const aws = await startAwsEndpoint(ringCentral.connection, functions, print, busEvents);
    shutdown.onStop(() => aws.stop());
    const stackFile = join(options.dataDir, 'stack.json');
    const gateway = await startApiGateway(options.apiPort ?? 3000, caller, functions, {
      print,
      stackFile,
    });
    shutdown.onStop(() => gateway.stop());
    aws.serveQueries(localQueryServices(gateway.url));
    const resources = localResources(options, ringCentral, gateway.url);
    const endpoints = { ...storage.endpoints, awsServices: aws.url };
    hostFunctions(functions, localFunctionSpecs(resources, endpoints), bundles, log.fd);
    shutdown.onStop(() => functions.stop());
    // As at deploy: one forced refresh, so the first send has a session.
    await functions.runJob('token-refresh', { force: true }, 'start');
    // As at deploy: one discovery, so the registry knows the account before the first archive
    // dispatch. A failure is reported like any run's; the schedule tries again.
    await functions.runJob('extensions', { source: 'deploy' }, 'start').catch(() => undefined);
    const scheduler = startJobScheduler(options, functions, print, shutdown);
    const info = stackInfo({
      options,
      caller,
      ...{ ringCentral, storage, aws, gateway },
      ...{ resources, log, bundles, started },
    });
    await writeFile(stackFile, `${JSON.stringify(info, null, 2)}\n`, {
      mode: 0o600,
    });
    let stopped: Promise<void> | undefined;
    return {
      info,
      events: () => busEvents,
      ...(ringCentral.emulator ? { emulator: ringCentral.emulator } : {}),
      runJob: (name) => scheduler.runNow(name),
      stop: () => {
        functions.markStopping();
        stopped ??= shutdown.stopAll();
        return stopped;
      },
    };
  } catch (error) {
    await shutdown.stopAll();
    throw error;
  }
}

/** What the stack stops, in the reverse order it started. */
interface Shutdown {
  /** Registers a stop that runs before every stop registered so far. */
  onStop(stop: () => Promise<void>): void;
  /** Registers a stop that runs after every other. */
  onStopLast(stop: () => Promise<void>): void;
  /** Runs every stop once; one that fails does not keep the others from running. */
  stopAll(): Promise<void>;
}

function createShutdown(): Shutdown {
  const stoppers: Array<() => Promise<void>> = [];
  return {
    onStop: (stop) => {
      stoppers.push(stop);
    },
    onStopLast: (stop) => {
      stoppers.unshift(stop);
    },
    stopAll: async () => {
      for (const stop of stoppers.splice(0).reverse()) {
        await stop().catch(() => undefined);
      }
    },
  };
}

/** The file every function process writes its logs to, open for appending. */
function openFunctionLog(dataDir: string, shutdown: Shutdown): { file: string; fd: number } {
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  const file = join(dataDir, 'logs', 'functions.log');
  const fd = openSync(file, 'a');
  shutdown.onStop(async () => closeSync(fd));
  return { file, fd };
}

/** The RingCentral in use: how the functions reach it, and the local one when it is that. */
interface RingCentralInUse {
  connection: RingCentralConnection;
  emulator?: RunningEmulator;
}

/** What the credentials secret holds. */
interface RingCentralConnection {
  clientId: string;
  clientSecret: string;
  jwt: string;
  server: string;
  mediaServer?: string;
}

/** Starts the local RingCentral, unless a remote one is given. */
async function startRingCentral(
  options: Pick<LocalStackOptions, 'remote' | 'ringCentralPort' | 'manualMessageStatus'>,
  shutdown: Shutdown,
): Promise<RingCentralInUse> {
  const { remote } = options;
  if (remote) {
    return {
      connection: {
        clientId: remote.clientId,
        clientSecret: remote.clientSecret,
        jwt: remote.jwt,
        server: remote.server,
        ...(remote.mediaServer ? { mediaServer: remote.mediaServer } : {}),
      },
    };
  }
  const emulator = await startEmulator({
    port: options.ringCentralPort ?? 0,
    mailbox: 'default',
    ...(options.manualMessageStatus ? { messageStatusUpdates: 'manual' as const } : {}),
  });
  // The local sender (the first user's number) may also send high-volume SMS (POST /sms/batches).
  const sender = emulator.mailbox.extensions[0]?.smsNumbers[0];
  if (sender) emulator.enableA2pSender(sender);
  shutdown.onStop(() => emulator.stop());
  return {
    connection: { ...emulator.credentials, server: emulator.url, mediaServer: emulator.mediaUrl },
    emulator,
  };
}

/** s3rver (its files under `<dataDir>/s3`) and dynalite with the state table. */
interface LocalStorage {
  s3Directory: string;
  endpoints: { s3: string; dynamodb: string };
}

async function startStorage(dataDir: string, shutdown: Shutdown): Promise<LocalStorage> {
  const s3Directory = join(dataDir, 's3');
  const [s3, dynamo] = await Promise.all([
    startLocalS3({
      directory: s3Directory,
      buckets: [localArchiveBucket(ARCHIVE_BUCKET), FAX_DOCUMENTS_BUCKET],
    }).then((running) => {
      shutdown.onStop(() => running.stop());
      return running;
    }),
    startLocalDynamo({ tableName: TABLE_NAME, region: REGION }).then((running) => {
      shutdown.onStop(() => running.stop());
      return running;
    }),
  ]);
  return { s3Directory, endpoints: { s3: s3.endpoint, dynamodb: dynamo.endpoint } };
}

/** The IAM user the gateway accepts requests from, with `accessKey`. */
function localCaller(accessKey: {
  accessKeyId: string;
  secretAccessKey: string;
}): LocalCredentials {
  return {
    ...accessKey,
    accountId: ACCOUNT_ID,
    userArn: `arn:aws:iam::${ACCOUNT_ID}:user/local-caller`,
    userId: `AIDA${accessKey.accessKeyId.slice(4, 20)}`,
  };
}

/** `[HH:MM:SS]` of the local time, as the status lines start. */
function timestamp(): string {
  return `[${new Date().toTimeString().slice(0, 8)}]`;
}

/**
 * The local Secrets Manager, EventBridge and Lambda: an `Alert` event runs the alert function
 * and a message-store change the message-status function, as the deployed rules do (each event
 * is also kept in `busEvents`); an asynchronous invoke runs as a job with a status line.
 */
function startAwsEndpoint(
  ringCentral: RingCentralConnection,
  functions: FunctionRegistry,
  print: Print,
  busEvents: LocalBusEvent[],
): Promise<RunningAwsServices> {
  return startAwsServices({
    region: REGION,
    secrets: {
      [SECRET_NAMES.credentials]: ringCentral,
      // Written by token-refresh; until then it holds a placeholder, as deployed.
      [SECRET_NAMES.session]: {},
      [SECRET_NAMES.webhook]: { verificationToken: randomBytes(24).toString('base64url') },
    },
    functions: LOCAL_FUNCTION_NAMES,
    onEvent: (entry) => {
      print(`${timestamp()} event ${entry.DetailType} from ${entry.Source}`);
      const event = eventBridgeEventOf(entry);
      busEvents.push(event);
      const target = ruleTarget(event);
      if (!target) return;
      void functions.runJob(target, event, 'event').catch(() => undefined);
    },
    onInvoke: async (name, payload, type) => {
      // Lambda parses the payload with JSON.parse too.
      const event = payload === '' ? {} : (JSON.parse(payload) as unknown);
      if (type === 'Event') {
        await functions.runJob(name, event, 'async invoke');
        return {};
      }
      try {
        const invocation = await functions.invoke(name, event);
        return invocation.payload === undefined ? {} : { payload: invocation.payload };
      } catch (error) {
        if (!(error instanceof FunctionInvocationError)) throw error;
        return {
          payload: JSON.stringify({ errorType: error.errorName, errorMessage: error.message }),
          functionError: 'Unhandled',
        };
      }
    },
  });
}

/** The function the deployed stack's rules hand `event` to, if any (infra: routeAlerts, routeStatusChecks). */
function ruleTarget(event: LocalBusEvent): LocalFunctionName | undefined {
  if (event['detail-type'] === 'Alert') return 'alert';
  const detail = event.detail as { changes?: Array<{ updatedCount?: unknown }> } | undefined;
  const updated = (detail?.changes ?? []).some(
    (change) => typeof change.updatedCount === 'number' && change.updatedCount > 0,
  );
  if (event['detail-type'] === 'RingCentral Message Store Change' && updated) {
    return 'message-status';
  }
  return undefined;
}

/** The event an EventBridge rule delivers for an entry put on the bus. */
function eventBridgeEventOf(entry: PutEventEntry & { id: string }) {
  return {
    version: '0',
    id: entry.id,
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: ACCOUNT_ID,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: REGION,
    resources: entry.Resources ?? [],
    detail: JSON.parse(entry.Detail ?? '{}') as unknown,
  };
}

/**
 * The local CloudFormation (this stack and its outputs) and STS (the listing probe role), for
 * the deployed path of `npm run smoke -- --stack`.
 */
function localQueryServices(apiUrl: string): QueryServices {
  return createQueryServices({
    region: REGION,
    accountId: ACCOUNT_ID,
    stacks: [
      describeLocalStack({
        region: REGION,
        accountId: ACCOUNT_ID,
        apiUrl,
        archiveBucket: ARCHIVE_BUCKET,
        secretNames: SECRET_NAMES,
      }),
    ],
    assumableRoles: [localListingProbeRoleArn(ACCOUNT_ID)],
  });
}

/**
 * The HTTP API on 127.0.0.1, verifying SigV4 for `caller`, with a line per request; a 403 says
 * where the key is (the banner and `stackFile`).
 */
function startApiGateway(
  port: number,
  caller: LocalCredentials,
  functions: FunctionRegistry,
  output: { print: Print; stackFile: string },
): Promise<RunningGateway> {
  const { print, stackFile } = output;
  return startGateway({
    routes: LOCAL_API_ROUTES,
    credentials: [caller],
    port,
    region: REGION,
    onAccess: (access) => print(formatAccess(access)),
    signingHelp: `the access key and secret key npm start printed (also in ${stackFile}); npm run local:send signs for you`,
    invoke: async (name, event) => {
      try {
        const invocation = await functions.invoke(name, event);
        return JSON.parse(invocation.payload ?? 'null') as APIGatewayProxyResultV2;
      } catch (error) {
        throw new IntegrationError(`${name} failed`, {
          timedOut: error instanceof FunctionInvocationError && error.timedOut,
          cause: error,
        });
      }
    },
  });
}

/** The names and settings the functions get, as the deployed stack's outputs would give them. */
function localResources(
  options: Pick<LocalStackOptions, 'remote' | 'purgeEnabled'>,
  ringCentral: RingCentralInUse,
  gatewayUrl: string,
): LocalResources {
  const owner = ringCentral.emulator?.mailbox.extensions[0];
  const otherSms = secondExtension(ringCentral)?.smsNumbers[0];
  return {
    region: REGION,
    tableName: TABLE_NAME,
    credentialsSecret: SECRET_NAMES.credentials,
    sessionSecret: SECRET_NAMES.session,
    webhookSecret: SECRET_NAMES.webhook,
    archiveBucket: ARCHIVE_BUCKET,
    faxDocumentsBucket: FAX_DOCUMENTS_BUCKET,
    eventBusName: 'local-bus',
    smsFrom: options.remote?.smsFrom ?? owner?.smsNumbers[0] ?? '+16505550101',
    webhookUrl: `${gatewayUrl}/webhook`,
    purgeDryRun: options.purgeEnabled !== true,
    purgeRetentionDays: LOCAL_RETENTION_DAYS,
    alertRecipients: { sms: otherSms ? [otherSms] : [], pager: [] },
    statusCheckSpacingSeconds: 1,
  };
}

/** The local mailbox's second extension: it receives the SMS, faxes and alerts sent locally. */
function secondExtension(ringCentral: RingCentralInUse) {
  return ringCentral.emulator?.mailbox.extensions[1];
}

/** Hosts every function's bundle; no process starts before its first invocation. */
function hostFunctions(
  functions: FunctionRegistry,
  specs: readonly LocalFunctionSpec[],
  bundles: FunctionBundles,
  logFd: number,
): void {
  for (const spec of specs) {
    const bundle = bundles.functions[spec.name];
    if (!bundle) throw new Error(`No bundle for ${spec.name}`);
    functions.add(
      hostFunction({
        name: spec.name,
        bundle,
        worker: bundles.worker,
        environment: spec.environment,
        nodeOptions: bundles.nodeOptions,
        timeoutMs: spec.timeoutMs,
        concurrency: spec.concurrency,
        logFd,
      }),
    );
  }
}

/** The deployed schedules, compressed (defaults: archive every 30 s, the rest in minutes). */
function scheduledJobs(
  options: Pick<LocalStackOptions, 'schedule' | 'remote'>,
): ScheduledJobSpec[] {
  const schedule = options.schedule ?? {};
  const jobs: ScheduledJobSpec[] = [
    // The archive's pace: every 5 minutes when deployed, compressed here.
    {
      functionName: 'archive-dispatch',
      everyMs: schedule.archiveEveryMs ?? 30_000,
      firstAfterMs: 1_000,
    },
    { functionName: 'token-refresh', everyMs: schedule.tokenRefreshEveryMs ?? 5 * 60_000 },
    { functionName: 'purge', everyMs: schedule.purgeEveryMs ?? 10 * 60_000, firstAfterMs: 60_000 },
    // Hourly when deployed; every 5 minutes here, so added extensions show up soon.
    { functionName: 'extensions', everyMs: schedule.extensionsEveryMs ?? 5 * 60_000 },
    // Every minute when deployed; the poll that finds changes no notification announced.
    { functionName: 'message-status', everyMs: schedule.messageStatusEveryMs ?? 30_000 },
    // Daily from 03:15 when deployed; here every 10 minutes, the first after the archive's start.
    {
      functionName: 'reconcile',
      everyMs: schedule.reconcileEveryMs ?? 10 * 60_000,
      firstAfterMs: 2 * 60_000,
    },
    // Every 30 minutes when deployed; every 2 minutes here, the first soon after discovery.
    {
      functionName: 'archive-export',
      everyMs: schedule.archiveExportEveryMs ?? 2 * 60_000,
      firstAfterMs: 5_000,
    },
  ];
  // A real RingCentral cannot reach 127.0.0.1, so no webhook subscription is kept for it.
  if (!options.remote) {
    jobs.push({
      functionName: 'subscription-keeper',
      everyMs: schedule.subscriptionKeeperEveryMs ?? 10 * 60_000,
      firstAfterMs: 0,
    });
  }
  const firstRuns = schedule.firstRunAfterMs ?? {};
  return jobs.map((job) => ({
    ...job,
    firstAfterMs: firstRuns[job.functionName] ?? job.firstAfterMs,
  }));
}

/**
 * Starts the schedules. On stop the timers go first and the runs in progress end when their
 * processes are stopped; the stack's stop waits for them last.
 */
function startJobScheduler(
  options: Pick<LocalStackOptions, 'schedule' | 'remote'>,
  functions: FunctionRegistry,
  print: Print,
  shutdown: Shutdown,
): RunningScheduler {
  const scheduler = startScheduler({
    jobs: scheduledJobs(options),
    invoke: (name, input) => functions.runJob(name, input),
    onTick: (tick) => {
      if (tick.outcome === 'skipped') {
        print(
          `${timestamp()} ${tick.functionName.padEnd(19)} skipped: the previous run is still going`,
        );
      }
    },
  });
  let draining: Promise<void> = Promise.resolve();
  shutdown.onStop(async () => {
    draining = scheduler.stop();
  });
  shutdown.onStopLast(() => draining);
  return scheduler;
}

/** Where everything is, and how long the start took (since `started`). */
function stackInfo(parts: {
  options: Pick<LocalStackOptions, 'remote'>;
  caller: LocalCredentials;
  ringCentral: RingCentralInUse;
  storage: LocalStorage;
  aws: RunningAwsServices;
  gateway: RunningGateway;
  resources: LocalResources;
  log: { file: string };
  bundles: FunctionBundles;
  started: number;
}): LocalStackInfo {
  const { caller, ringCentral, storage, resources } = parts;
  const smsTo = secondExtension(ringCentral)?.smsNumbers[0];
  // A fax to the second extension's number lands in the local mailbox as well.
  const faxTo = secondExtension(ringCentral)?.faxNumber;
  return {
    stackName: LOCAL_STACK_NAME,
    apiUrl: parts.gateway.url,
    region: REGION,
    accessKeyId: caller.accessKeyId,
    secretAccessKey: caller.secretAccessKey,
    callerArn: caller.userArn,
    ringCentral: {
      mode: parts.options.remote ? 'remote' : 'local',
      server: ringCentral.connection.server,
      ...(ringCentral.connection.mediaServer
        ? { mediaServer: ringCentral.connection.mediaServer }
        : {}),
    },
    s3Endpoint: storage.endpoints.s3,
    dynamodbEndpoint: storage.endpoints.dynamodb,
    awsServicesEndpoint: parts.aws.url,
    archiveBucket: ARCHIVE_BUCKET,
    faxDocumentsBucket: FAX_DOCUMENTS_BUCKET,
    archiveDirectory: join(storage.s3Directory, ARCHIVE_BUCKET),
    logFile: parts.log.file,
    tableName: TABLE_NAME,
    purgeDryRun: resources.purgeDryRun,
    smsFrom: resources.smsFrom,
    ...(smsTo ? { smsTo } : {}),
    ...(faxTo ? { faxTo } : {}),
    bundlesCached: parts.bundles.cached,
    bundleMs: parts.bundles.durationMs,
    startMs: performance.now() - parts.started,
  };
}
