/**
 * `npm run emulator -- --port 18080 [--media-port 18081] [--seed 7 --extensions 40 --messages 500
 * --max-attachment-bytes 1048576 --mix realistic|users] [--non-admin] [--window-scale 0.05]
 * [--no-rate-limits] [--error-rate 0.1] [--latency-ms 200]`: starts the local RingCentral and prints its URLs and the credentials it
 * accepts (from RC_EMULATOR_CLIENT_ID, RC_EMULATOR_CLIENT_SECRET, RC_EMULATOR_JWT, else the
 * documented defaults). Stops on SIGINT/SIGTERM.
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import '../../cli/node-version.js';
import { parseCommandLine, parseOrExit, shellQuote, usageFailure } from '../../cli/command-line.ts';
import type { EmulatorOptions, ExtensionInfo } from './index.ts';

/** A few ids, then the count of each type: a 5,000-extension account stays one line. */
function describeExtensions(extensions: readonly ExtensionInfo[]): string {
  const ids = extensions.slice(0, 4).map((extension) => extension.id);
  const byType = new Map<string, number>();
  for (const extension of extensions) {
    byType.set(extension.type, (byType.get(extension.type) ?? 0) + 1);
  }
  const counts = [...byType].map(([type, count]) => `${count} ${type}`).join(', ');
  return `${ids.join(', ')}${extensions.length > 4 ? ', ...' : ''} (${counts})`;
}

/** How to call the command. */
export const EMULATOR_USAGE = `Usage: npm run emulator -- [--port 18080] [--media-port <port>] [--host 127.0.0.1]
         [--seed <n> --extensions <n> --messages <n> --mix realistic|users --max-attachment-bytes <n>]
         [--non-admin] [--window-scale <factor>] [--no-rate-limits] [--access-token-ttl <seconds>]
         [--error-rate 0..1] [--latency-ms <ms>]

  --port, --media-port  platform and media host ports (0: free ones; media default port + 1)
  --seed, --extensions, --messages, --mix, --max-attachment-bytes  a generated mailbox
  --non-admin           the printed JWT logs in as an extension without an admin role
  --window-scale        multiplies every rate-limit window (0.05: 60 s become 3 s)
  --no-rate-limits      no 429s; --error-rate and --latency-ms inject faults
  --help                this text

Credentials: RC_EMULATOR_CLIENT_ID, RC_EMULATOR_CLIENT_SECRET, RC_EMULATOR_JWT, else the defaults.`;

const { values } = parseOrExit(
  () =>
    parseCommandLine(process.argv.slice(2), {
      host: { type: 'string' },
      port: { type: 'string' },
      'media-port': { type: 'string' },
      seed: { type: 'string' },
      extensions: { type: 'string' },
      mix: { type: 'string' },
      'non-admin': { type: 'boolean' },
      messages: { type: 'string' },
      'max-attachment-bytes': { type: 'string' },
      'window-scale': { type: 'string' },
      'no-rate-limits': { type: 'boolean' },
      'access-token-ttl': { type: 'string' },
      'error-rate': { type: 'string' },
      'latency-ms': { type: 'string' },
    }),
  EMULATOR_USAGE,
);
// Loaded only after parsing: --help and a bad option answer without the emulator's servers.
const { resolveCredentials, startEmulator } = await import('./index.ts');
const usage = (message: string): never =>
  process.exit(usageFailure((text) => process.stderr.write(text), message, EMULATOR_USAGE));
for (const [name, value] of Object.entries(values)) {
  if (typeof value === 'string' && name !== 'host' && name !== 'mix' && !(Number(value) >= 0)) {
    usage(`--${name} must be a non-negative number, not ${value}`);
  }
}
const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
const port = number(values.port) ?? 18080;
const seeded =
  values.seed !== undefined || values.extensions !== undefined || values.messages !== undefined;
if (values.mix !== undefined && values.mix !== 'realistic' && values.mix !== 'users') {
  usage('--mix must be realistic or users');
}
const options: EmulatorOptions = {
  ...(values.host ? { host: values.host } : {}),
  port,
  // Port 0 means ephemeral for both hosts; otherwise the media host sits one port above.
  mediaPort: number(values['media-port']) ?? (port === 0 ? 0 : port + 1),
  rateLimits: {
    enabled: !values['no-rate-limits'],
    windowScale: number(values['window-scale']) ?? 1,
  },
  faults: {
    errorRate: number(values['error-rate']) ?? 0,
    latencyMs: number(values['latency-ms']) ?? 0,
  },
};
const ttl = number(values['access-token-ttl']);
if (ttl !== undefined) options.accessTokenTtlSeconds = ttl;
if (seeded) {
  options.mailbox = {
    seed: number(values.seed) ?? 1,
    extensions: number(values.extensions) ?? 2,
    messagesPerExtension: number(values.messages) ?? 50,
    ...(values.mix ? { mix: values.mix as 'realistic' | 'users' } : {}),
    ...(values['max-attachment-bytes']
      ? { maxAttachmentBytes: Number(values['max-attachment-bytes']) }
      : {}),
  };
}

if (values['non-admin']) {
  // The printed JWT logs in as the first extension without an admin role.
  const credentials = resolveCredentials();
  options.logins = [{ jwt: credentials.jwt, extensionId: '101001', admin: false }];
}

const emulator = await startEmulator(options);
const extensions = describeExtensions(emulator.mailbox.extensions);
process.stdout.write(
  [
    `Local RingCentral listening on ${emulator.url} (media host ${emulator.mediaUrl})`,
    `  account ${emulator.mailbox.accountId}, extensions ${extensions} (the JWT user is the first${values['non-admin'] ? ', not an admin' : ''})`,
    '  To point npm start, npm run backfill and the other tools at it, paste:',
    `  export RINGCENTRAL_SERVER=${emulator.url}`,
    `  export RINGCENTRAL_MEDIA_SERVER=${emulator.mediaUrl}`,
    `  export RINGCENTRAL_CLIENT_ID=${shellQuote(emulator.credentials.clientId)}`,
    `  export RINGCENTRAL_CLIENT_SECRET=${shellQuote(emulator.credentials.clientSecret)}`,
    `  export RINGCENTRAL_JWT=${shellQuote(emulator.credentials.jwt)}`,
    '  (the emulator itself takes its credentials from RC_EMULATOR_CLIENT_ID, _CLIENT_SECRET, _JWT)',
    `  inspect: GET ${emulator.url}/__emulator/stats`,
    '',
  ].join('\n'),
);

const shutdown = () => {
  void emulator.stop().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
