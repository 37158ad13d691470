/**
 * `npm run archive:search -- --from <date> --to <date> [--party ...] [--produce DIR]`: searches
 * the archive and writes productions (`cli/archive/search-command.ts`).
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.js';
import { runArchiveTool } from './archive/entry.ts';
import { parseSearchArguments, SEARCH_USAGE } from './archive/search-arguments.ts';

await runArchiveTool({
  usage: SEARCH_USAGE,
  parse: parseSearchArguments,
  // Loaded only when used: --help and a bad option answer without the SDK clients and lib/.
  load: async () => (await import('./archive/search-command.ts')).runSearchCommand,
});
