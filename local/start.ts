/**
 * `npm start`: the whole system on this machine, on 127.0.0.1 only (local/stack/stack.ts). Prints
 * where everything is and ready-to-paste commands, then one status line per job run and request.
 * Ctrl+C (SIGINT) or SIGTERM stops everything; nothing is left running or listening.
 *
 * Environment (all optional): LOCAL_API_PORT (3000), LOCAL_DATA_DIR (.local), LOCAL_RINGCENTRAL_PORT,
 * LOCAL_ARCHIVE_SECONDS (30), LOCAL_REFRESH_MINUTES (5), LOCAL_PURGE_MINUTES (10),
 * LOCAL_SUBSCRIPTION_MINUTES (10), LOCAL_STATUS_SECONDS (30), LOCAL_PURGE_ENABLED (false), LOCAL_ACCESS_KEY_ID and
 * LOCAL_SECRET_ACCESS_KEY (default: a new key per start); RINGCENTRAL_SERVER, RINGCENTRAL_CLIENT_ID,
 * RINGCENTRAL_CLIENT_SECRET and RINGCENTRAL_JWT (all four: use that RingCentral),
 * RINGCENTRAL_MEDIA_SERVER and RINGCENTRAL_SMS_FROM.
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import '../cli/node-version.js';
import { join } from 'node:path';
import { parseCommandLine, parseOrExit, shellQuote } from '../cli/command-line.ts';
import { PROJECT_ROOT } from './stack/bundles.ts';
import type { LocalStackInfo, RemoteRingCentral, startLocalStack } from './stack/stack.ts';

/** How to call the command: it takes no options, only environment variables. */
export const START_USAGE = `Usage: npm start   (Ctrl+C stops everything)

Environment (all optional):
  LOCAL_API_PORT (3000; 0 picks a free one), LOCAL_DATA_DIR (.local), LOCAL_RINGCENTRAL_PORT
  LOCAL_ARCHIVE_SECONDS (30), LOCAL_REFRESH_MINUTES (5), LOCAL_PURGE_MINUTES (10),
  LOCAL_SUBSCRIPTION_MINUTES (10), LOCAL_STATUS_SECONDS (30), LOCAL_PURGE_ENABLED (false)
  LOCAL_ACCESS_KEY_ID and LOCAL_SECRET_ACCESS_KEY (default: a new key per start)
  RINGCENTRAL_SERVER, RINGCENTRAL_CLIENT_ID, RINGCENTRAL_CLIENT_SECRET, RINGCENTRAL_JWT (all four:
  use that RingCentral instead of the local one), RINGCENTRAL_MEDIA_SERVER, RINGCENTRAL_SMS_FROM`;

/** The line that says the stack is ready (the end-to-end test and the benchmark wait for it). */
export const READY_LINE = 'Local stack ready';

function number(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function remoteRingCentral(): RemoteRingCentral | undefined {
  const names = [
    'RINGCENTRAL_SERVER',
    'RINGCENTRAL_CLIENT_ID',
    'RINGCENTRAL_CLIENT_SECRET',
    'RINGCENTRAL_JWT',
  ] as const;
  const given = names.filter((name) => (process.env[name] ?? '') !== '');
  if (given.length === 0) return undefined;
  if (given.length < names.length) {
    const missing = names.filter((name) => !given.includes(name));
    throw new Error(`To use a real RingCentral, also set ${missing.join(', ')}`);
  }
  const env = process.env as Record<(typeof names)[number], string>;
  return {
    server: env.RINGCENTRAL_SERVER,
    clientId: env.RINGCENTRAL_CLIENT_ID,
    clientSecret: env.RINGCENTRAL_CLIENT_SECRET,
    jwt: env.RINGCENTRAL_JWT,
    ...(process.env.RINGCENTRAL_MEDIA_SERVER
      ? { mediaServer: process.env.RINGCENTRAL_MEDIA_SERVER }
      : {}),
    ...(process.env.RINGCENTRAL_SMS_FROM ? { smsFrom: process.env.RINGCENTRAL_SMS_FROM } : {}),
  };
}

/** The banner: where everything is and commands to paste. */
export function describeStack(info: LocalStackInfo): string {
  const sign = `curl -sS --aws-sigv4 ${shellQuote(`aws:amz:${info.region}:execute-api`)} --user ${shellQuote(`${info.accessKeyId}:${info.secretAccessKey}`)}`;
  // A fresh key per paste; the route in it keeps an SMS and a fax of the same second apart.
  const json = (route: string) =>
    `-H 'content-type: application/json' -H "Idempotency-Key: ${route}-$(date +%s)-$RANDOM"`;
  const smsTo = info.smsTo ?? '+16505550102';
  const faxTo = info.faxTo ?? '+16505551102';
  const faxBody = JSON.stringify({
    to: [faxTo],
    documents: [
      { fileName: 'hello.txt', content: Buffer.from('Hello from npm start\n').toString('base64') },
    ],
  });
  const ringCentral =
    info.ringCentral.mode === 'remote'
      ? `  RingCentral:   ${info.ringCentral.server}  (REAL RingCentral from RINGCENTRAL_SERVER, not the local one)`
      : `  RingCentral:   ${info.ringCentral.server} (local, default mailbox; media ${info.ringCentral.mediaServer})`;
  return [
    '',
    ringCentral,
    `  API gateway:   ${info.apiUrl}  (POST /sms, /fax, /pager signed with SigV4; POST /webhook public)`,
    `  access key:    ${info.accessKeyId}`,
    `  secret key:    ${info.secretAccessKey}`,
    `  region:        ${info.region} (service execute-api; caller ${info.callerArn})`,
    `  S3 (s3rver):   ${info.s3Endpoint}  buckets ${info.archiveBucket}, ${info.faxDocumentsBucket}`,
    `  archive:       npm run archive:ls [-- <prefix>] lists it, npm run archive:cat -- <key> prints one object (over S3; the files in ${info.archiveDirectory} are s3rver's format)`,
    `  DynamoDB:      ${info.dynamodbEndpoint}  table ${info.tableName}`,
    `  AWS APIs:      ${info.awsServicesEndpoint}  (Secrets Manager, EventBridge, Lambda)`,
    `  function logs: ${info.logFile}`,
    `  purge:         ${info.purgeDryRun ? 'dry run (set LOCAL_PURGE_ENABLED=true to delete)' : 'ENABLED: archived messages past retention are deleted'}`,
    `  bundles:       ${info.bundlesCached ? 'cached' : 'built'} in ${(info.bundleMs / 1000).toFixed(1)} s`,
    ...(info.ringCentral.mode === 'remote' && !process.env.RINGCENTRAL_SMS_FROM
      ? [`  SMS from:      ${info.smsFrom} (set RINGCENTRAL_SMS_FROM to a number of your account)`]
      : []),
    '',
    'Send a signed SMS:',
    `  ${sign} ${json('sms')} -d ${shellQuote(JSON.stringify({ to: [smsTo], text: 'Hello from npm start' }))} ${info.apiUrl}/sms`,
    'Send a signed fax:',
    `  ${sign} ${json('fax')} -d ${shellQuote(faxBody)} ${info.apiUrl}/fax`,
    'Or: npm run local:send -- sms | fax | pager',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  parseOrExit(() => parseCommandLine(process.argv.slice(2), {}), START_USAGE);
  // Loaded only when used: --help and a bad option answer without the stack's servers and SDK.
  const { startLocalStack: startStack } = await import('./stack/stack.ts');
  const remote = remoteRingCentral();
  const dataDir = process.env.LOCAL_DATA_DIR || join(PROJECT_ROOT, '.local');
  const accessKeyId = process.env.LOCAL_ACCESS_KEY_ID;
  const secretAccessKey = process.env.LOCAL_SECRET_ACCESS_KEY;
  process.stdout.write(
    remote
      ? `Starting the local stack against the REAL RingCentral at ${remote.server}; purge stays a dry run unless LOCAL_PURGE_ENABLED=true\n`
      : 'Starting the local stack (everything on 127.0.0.1)...\n',
  );
  let stopRequested = false;
  let stack: Awaited<ReturnType<typeof startLocalStack>> | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    stopRequested = true;
    if (!stack || stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping everything...\n`);
    await stack?.stop();
    process.stdout.write('Stopped.\n');
    process.exit(0);
  };
  // Until the stack exists a signal only marks the request; it is honoured once start returns.
  // npm start runs this file with `node --import tsx`, not the tsx command: tsx's parent process
  // SIGKILLs its child when the child has not acknowledged a relayed signal within 30 ms, which
  // on a loaded machine skipped this handler and left the stack's worker processes behind.
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  stack = await startStack({
    dataDir,
    apiPort: number('LOCAL_API_PORT', 3000),
    ringCentralPort: number('LOCAL_RINGCENTRAL_PORT', 0),
    ...(remote ? { remote } : {}),
    purgeEnabled: process.env.LOCAL_PURGE_ENABLED === 'true',
    ...(accessKeyId && secretAccessKey ? { accessKey: { accessKeyId, secretAccessKey } } : {}),
    schedule: {
      archiveEveryMs: number('LOCAL_ARCHIVE_SECONDS', 30) * 1000,
      tokenRefreshEveryMs: number('LOCAL_REFRESH_MINUTES', 5) * 60_000,
      purgeEveryMs: number('LOCAL_PURGE_MINUTES', 10) * 60_000,
      subscriptionKeeperEveryMs: number('LOCAL_SUBSCRIPTION_MINUTES', 10) * 60_000,
      messageStatusEveryMs: number('LOCAL_STATUS_SECONDS', 30) * 1000,
    },
  });
  if (stopRequested) {
    await stack.stop();
    process.exit(0);
  }
  process.stdout.write(describeStack(stack.info));
  process.stdout.write(
    `${READY_LINE} in ${(stack.info.startMs / 1000).toFixed(1)} s (${(process.uptime()).toFixed(1)} s since the process started). Press Ctrl+C to stop.\n`,
  );
}

main().catch((error: unknown) => {
  if ((error as { code?: string }).code === 'EADDRINUSE') {
    process.stderr.write(
      `npm start failed: ${(error as Error).message}. Another process uses the port; set LOCAL_API_PORT (0 picks a free one).\n`,
    );
    process.exit(1);
  }
  process.stderr.write(
    `npm start failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
