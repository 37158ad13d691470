/**
 * `npm run extensions -- list | policy [--include-type T] [--exclude-id N] ... | discover`: the
 * account's extension registry and archive policy, of the running `npm start` or of a deployment
 * (STATE_TABLE_NAME). The work: `cli/extensions/command.ts`.
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.js';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../local/stack/bundles.ts';
import { runExtensionsCommand } from './extensions/command.ts';

process.exitCode = await runExtensionsCommand(process.argv.slice(2), {
  env: process.env,
  dataDir: process.env.LOCAL_DATA_DIR || join(PROJECT_ROOT, '.local'),
  print: (line) => process.stdout.write(`${line}\n`),
  printError: (line) => process.stderr.write(`${line}\n`),
});
