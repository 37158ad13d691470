/**
 * `npm start`: runs the system on this machine, on 127.0.0.1 only.
 *
 * Today that is the local RingCentral with its default mailbox; the local gateway, scheduler,
 * S3 and DynamoDB join it as the functions that use them arrive. Ctrl+C stops everything.
 */
import { startEmulator } from './ringcentral/index.ts';

const port = Number(process.env.LOCAL_RINGCENTRAL_PORT ?? 18080);
const emulator = await startEmulator({ port });

process.stdout.write(
  [
    'Local RingCentral is running (127.0.0.1 only).',
    `  platform:      ${emulator.url}`,
    `  media:         ${emulator.mediaUrl}`,
    `  client id:     ${emulator.credentials.clientId}`,
    `  client secret: ${emulator.credentials.clientSecret}`,
    `  jwt:           ${emulator.credentials.jwt}`,
    `  stats:         ${emulator.url}/__emulator/stats`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await emulator.stop();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
