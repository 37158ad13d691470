/**
 * `npm run archive:ls`: lists the archive's keys over the S3 API (`cli/archive/browse-command.ts`).
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.js';
import { LS_USAGE, parseLsArguments } from './archive/browse-arguments.ts';
import { runArchiveTool } from './archive/entry.ts';

await runArchiveTool({
  usage: LS_USAGE,
  parse: parseLsArguments,
  // Loaded only when used: --help and a bad option answer without the SDK clients and lib/.
  load: async () => (await import('./archive/browse-command.ts')).runLsCommand,
});
