/**
 * `npm run archive:adopt -- [--account <id>] [--bucket <name>]`: records the objects archived
 * before custody began into the chain of custody (`cli/archive/adopt-command.ts`).
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.js';
import { ADOPT_USAGE, parseAdoptArguments } from './archive/adopt-arguments.ts';
import { runArchiveTool } from './archive/entry.ts';

await runArchiveTool({
  usage: ADOPT_USAGE,
  parse: parseAdoptArguments,
  // Loaded only when used: --help and a bad option answer without the SDK clients and lib/.
  load: async () => (await import('./archive/adopt-command.ts')).runAdoptCommand,
});
