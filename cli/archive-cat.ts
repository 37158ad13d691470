/**
 * `npm run archive:cat`: prints one archived object over the S3 API (`cli/archive/browse-command.ts`).
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.js';
import { CAT_USAGE, parseCatArguments } from './archive/browse-arguments.ts';
import { runArchiveTool } from './archive/entry.ts';

await runArchiveTool({
  usage: CAT_USAGE,
  parse: parseCatArguments,
  // Loaded only when used: --help and a bad option answer without the SDK clients and lib/.
  load: async () => {
    const { runCatCommand } = await import('./archive/browse-command.ts');
    return (argv, io) => runCatCommand(argv, io, process.stdout);
  },
});
