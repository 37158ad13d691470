/**
 * `npm run extensions -- list | policy [--include-type T] [--exclude-id N] ... | discover`: the
 * account's extension registry and archive policy, of the running `npm start` or of a deployment
 * (STATE_TABLE_NAME). The work: `cli/extensions/command.ts`.
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.js';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../local/stack/bundles.ts';
import { parseExtensionsOrExitCode } from './extensions/arguments.ts';

const io = {
  env: process.env,
  dataDir: process.env.LOCAL_DATA_DIR || join(PROJECT_ROOT, '.local'),
  print: (line: string) => process.stdout.write(`${line}\n`),
  printError: (line: string) => process.stderr.write(`${line}\n`),
};
const args = parseExtensionsOrExitCode(process.argv.slice(2), io);
// Loaded only when used: --help and a bad option answer without the SDK clients and lib/.
process.exitCode =
  typeof args === 'number'
    ? args
    : await (await import('./extensions/command.ts')).runParsedExtensionsCommand(args, io);
