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
import { type RunningEmulator, startEmulator } from '../ringcentral/index.ts';
import { startAwsServices } from './aws-services.ts';
import { buildFunctionBundles } from './bundles.ts';
import { FunctionInvocationError, type HostedFunction, hostFunction } from './function-host.ts';
import {
  LOCAL_FUNCTION_NAMES,
  type LocalFunctionName,
  type LocalResources,
  localFunctionSpecs,
} from './functions.ts';
import { type GatewayRoute, IntegrationError, startGateway } from './gateway.ts';
import { type ScheduledJobSpec, startScheduler } from './scheduler.ts';
import type { LocalCredentials } from './sigv4.ts';
import { formatAccess, formatJobRun } from './status.ts';
import { startLocalDynamo, startLocalS3 } from './storage.ts';

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
  };
  /** Where status lines go; default stdout. */
  print?: (line: string) => void;
}

/** Where everything is, also written to `<dataDir>/stack.json` for `npm run local:send`. */
export interface LocalStackInfo {
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

/** A running stack. */
export interface LocalStack {
  info: LocalStackInfo;
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
  const stoppers: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stoppers.splice(0).reverse()) {
      await stop().catch(() => undefined);
    }
  };
  try {
    mkdirSync(join(options.dataDir, 'logs'), { recursive: true });
    const logFile = join(options.dataDir, 'logs', 'functions.log');
    const logFd = openSync(logFile, 'a');
    stoppers.push(async () => closeSync(logFd));

    const s3Directory = join(options.dataDir, 's3');
    const [bundles, emulator, s3, dynamo] = await Promise.all([
      buildFunctionBundles(LOCAL_FUNCTION_NAMES),
      options.remote
        ? Promise.resolve(undefined)
        : startEmulator({ port: options.ringCentralPort ?? 0, mailbox: 'default' }).then(
            (running) => {
              stoppers.push(() => running.stop());
              return running;
            },
          ),
      startLocalS3({
        directory: s3Directory,
        buckets: [ARCHIVE_BUCKET, FAX_DOCUMENTS_BUCKET],
      }).then((running) => {
        stoppers.push(() => running.stop());
        return running;
      }),
      startLocalDynamo({ tableName: TABLE_NAME, region: REGION }).then((running) => {
        stoppers.push(() => running.stop());
        return running;
      }),
    ]);

    const ringCentral = options.remote
      ? {
          clientId: options.remote.clientId,
          clientSecret: options.remote.clientSecret,
          jwt: options.remote.jwt,
          server: options.remote.server,
          ...(options.remote.mediaServer ? { mediaServer: options.remote.mediaServer } : {}),
        }
      : {
          ...(emulator as RunningEmulator).credentials,
          server: (emulator as RunningEmulator).url,
          mediaServer: (emulator as RunningEmulator).mediaUrl,
        };
    const extensions = emulator?.mailbox.extensions ?? [];
    const owner = extensions[0];
    const otherSms = extensions[1]?.smsNumbers[0];
    const smsFrom = options.remote?.smsFrom ?? owner?.smsNumbers[0] ?? '+16505550101';

    const accessKey = options.accessKey ?? generateAccessKey();
    const caller: LocalCredentials = {
      ...accessKey,
      accountId: ACCOUNT_ID,
      userArn: `arn:aws:iam::${ACCOUNT_ID}:user/local-caller`,
      userId: `AIDA${accessKey.accessKeyId.slice(4, 20)}`,
    };

    const hosts = new Map<string, HostedFunction>();
    const hostOf = (name: string) => {
      const host = hosts.get(name);
      if (!host) throw new Error(`No local function named ${name}`);
      return host;
    };
    const report = (
      name: string,
      trigger: string | undefined,
      outcome: {
        payload?: string;
        metrics: Record<string, number>;
        durationMs: number;
        coldStart?: boolean;
      },
    ) => print(formatJobRun({ functionName: name, ...(trigger ? { trigger } : {}), ...outcome }));
    // Set when stopping: runs cut short by the stop are not failures worth a line.
    let stopping = false;
    const reportFailure = (
      name: string,
      trigger: string | undefined,
      error: unknown,
      durationMs: number,
    ) => {
      if (stopping) return;
      print(
        formatJobRun({
          functionName: name,
          ...(trigger ? { trigger } : {}),
          durationMs,
          metrics: error instanceof FunctionInvocationError ? error.metrics : {},
          error:
            error instanceof FunctionInvocationError
              ? { name: error.errorName, message: error.message }
              : { name: 'Error', message: String(error) },
        }),
      );
    };
    /** Runs a job-like invocation and prints its status line. */
    const runJob = async (name: string, event: unknown, trigger?: string) => {
      const jobStarted = performance.now();
      try {
        const invocation = await hostOf(name).invoke(event);
        report(name, trigger, invocation);
      } catch (error) {
        reportFailure(name, trigger, error, performance.now() - jobStarted);
        throw error;
      }
    };

    const aws = await startAwsServices({
      region: REGION,
      secrets: {
        'local/ringcentral-credentials': ringCentral,
        // Written by token-refresh; until then it holds a placeholder, as deployed.
        'local/ringcentral-session': {},
        'local/webhook': { verificationToken: randomBytes(24).toString('base64url') },
      },
      functions: LOCAL_FUNCTION_NAMES,
      onEvent: (entry) => {
        print(
          `[${new Date().toTimeString().slice(0, 8)}] event ${entry.DetailType} from ${entry.Source}`,
        );
        if (entry.DetailType !== 'Alert') return;
        const event = {
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
        void runJob('alert', event, 'event').catch(() => undefined);
      },
      onInvoke: async (name, payload, type) => {
        // Lambda parses the payload with JSON.parse too.
        const event = payload === '' ? {} : (JSON.parse(payload) as unknown);
        if (type === 'Event') {
          await runJob(name, event, 'async invoke');
          return {};
        }
        try {
          const invocation = await hostOf(name).invoke(event);
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
    stoppers.push(() => aws.stop());

    const routes: GatewayRoute[] = [
      { method: 'POST', path: '/sms', auth: 'iam', functionName: 'send-sms' },
      { method: 'POST', path: '/fax', auth: 'iam', functionName: 'send-fax' },
      { method: 'POST', path: '/pager', auth: 'iam', functionName: 'send-pager' },
      { method: 'GET', path: '/messages/{messageId}', auth: 'iam', functionName: 'get-message' },
      { method: 'POST', path: '/webhook', auth: 'none', functionName: 'webhook' },
    ];
    const gateway = await startGateway({
      routes,
      credentials: [caller],
      port: options.apiPort ?? 3000,
      region: REGION,
      onAccess: (access) => print(formatAccess(access)),
      invoke: async (name, event) => {
        try {
          const invocation = await hostOf(name).invoke(event);
          return JSON.parse(invocation.payload ?? 'null') as APIGatewayProxyResultV2;
        } catch (error) {
          throw new IntegrationError(`${name} failed`, {
            timedOut: error instanceof FunctionInvocationError && error.timedOut,
            cause: error,
          });
        }
      },
    });
    stoppers.push(() => gateway.stop());

    const purgeDryRun = options.purgeEnabled !== true;
    const resources: LocalResources = {
      region: REGION,
      tableName: TABLE_NAME,
      credentialsSecret: 'local/ringcentral-credentials',
      sessionSecret: 'local/ringcentral-session',
      webhookSecret: 'local/webhook',
      archiveBucket: ARCHIVE_BUCKET,
      faxDocumentsBucket: FAX_DOCUMENTS_BUCKET,
      eventBusName: 'local-bus',
      smsFrom,
      webhookUrl: `${gateway.url}/webhook`,
      purgeDryRun,
      purgeRetentionDays: LOCAL_RETENTION_DAYS,
      alertRecipients: { sms: otherSms ? [otherSms] : [], pager: [] },
    };
    for (const spec of localFunctionSpecs(resources, {
      s3: s3.endpoint,
      dynamodb: dynamo.endpoint,
      awsServices: aws.url,
    })) {
      const bundle = bundles.functions[spec.name];
      if (!bundle) throw new Error(`No bundle for ${spec.name}`);
      hosts.set(
        spec.name,
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
    stoppers.push(async () => {
      await Promise.all([...hosts.values()].map((host) => host.stop()));
    });

    // As at deploy: one forced refresh, so the first send has a session.
    await runJob('token-refresh', { force: true }, 'start');

    const schedule = options.schedule ?? {};
    const jobs: ScheduledJobSpec[] = [
      { functionName: 'archive', everyMs: schedule.archiveEveryMs ?? 30_000, firstAfterMs: 1_000 },
      { functionName: 'token-refresh', everyMs: schedule.tokenRefreshEveryMs ?? 5 * 60_000 },
      {
        functionName: 'purge',
        everyMs: schedule.purgeEveryMs ?? 10 * 60_000,
        firstAfterMs: 60_000,
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
    const scheduler = startScheduler({
      jobs,
      invoke: (name, input) => runJob(name, input),
      onTick: (tick) => {
        if (tick.outcome === 'skipped') {
          print(
            `[${new Date().toTimeString().slice(0, 8)}] ${tick.functionName.padEnd(19)} skipped: the previous run is still going`,
          );
        }
      },
    });
    let draining: Promise<void> = Promise.resolve();
    stoppers.push(async () => {
      // Timers first; the runs in progress end when their processes are stopped.
      draining = scheduler.stop();
    });
    stoppers.unshift(async () => {
      await draining;
    });

    const info: LocalStackInfo = {
      apiUrl: gateway.url,
      region: REGION,
      accessKeyId: caller.accessKeyId,
      secretAccessKey: caller.secretAccessKey,
      callerArn: caller.userArn,
      ringCentral: {
        mode: options.remote ? 'remote' : 'local',
        server: ringCentral.server,
        ...(ringCentral.mediaServer ? { mediaServer: ringCentral.mediaServer } : {}),
      },
      s3Endpoint: s3.endpoint,
      dynamodbEndpoint: dynamo.endpoint,
      awsServicesEndpoint: aws.url,
      archiveBucket: ARCHIVE_BUCKET,
      faxDocumentsBucket: FAX_DOCUMENTS_BUCKET,
      archiveDirectory: join(s3Directory, ARCHIVE_BUCKET),
      logFile,
      tableName: TABLE_NAME,
      purgeDryRun,
      smsFrom,
      ...(otherSms ? { smsTo: otherSms } : {}),
      // A fax to the second extension's number lands in the local mailbox as well.
      ...(extensions[1]?.faxNumber ? { faxTo: extensions[1].faxNumber } : {}),
      bundlesCached: bundles.cached,
      bundleMs: bundles.durationMs,
      startMs: performance.now() - started,
    };
    await writeFile(join(options.dataDir, 'stack.json'), `${JSON.stringify(info, null, 2)}\n`, {
      mode: 0o600,
    });
    let stopped: Promise<void> | undefined;
    return {
      info,
      ...(emulator ? { emulator } : {}),
      runJob: (name) => scheduler.runNow(name),
      stop: () => {
        stopping = true;
        stopped ??= stopAll();
        return stopped;
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
