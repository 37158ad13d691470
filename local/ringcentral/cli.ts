/**
 * `npm run emulator -- --port 18080 [--media-port 18081] [--seed 7 --extensions 40 --messages 500
 * --max-attachment-bytes 1048576 --mix realistic|users] [--non-admin] [--window-scale 0.05]
 * [--no-rate-limits] [--error-rate 0.1] [--latency-ms 200]`: starts the local RingCentral and prints its URLs and the credentials it
 * accepts (from RC_EMULATOR_CLIENT_ID, RC_EMULATOR_CLIENT_SECRET, RC_EMULATOR_JWT, else the
 * documented defaults). Stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import {
  type EmulatorOptions,
  type ExtensionInfo,
  resolveCredentials,
  startEmulator,
} from './index.ts';

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

const { values } = parseArgs({
  options: {
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
  },
});

const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
const port = number(values.port) ?? 18080;
const seeded =
  values.seed !== undefined || values.extensions !== undefined || values.messages !== undefined;
if (values.mix !== undefined && values.mix !== 'realistic' && values.mix !== 'users') {
  process.stderr.write('--mix must be realistic or users\n');
  process.exit(2);
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
    `  RC_SERVER_URL=${emulator.url}`,
    `  RC_CLIENT_ID=${emulator.credentials.clientId}`,
    `  RC_CLIENT_SECRET=${emulator.credentials.clientSecret}`,
    `  RC_JWT=${emulator.credentials.jwt}`,
    `  inspect: GET ${emulator.url}/__emulator/stats`,
    '',
  ].join('\n'),
);

const shutdown = () => {
  void emulator.stop().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
