/**
 * `npm run archive:verify -- [--bucket <name>] [--sample 10%] [--max-gap 7d]`: verifies the
 * archive against its chain of custody (`cli/archive/verify-command.ts`).
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.js';
import { runArchiveTool } from './archive/entry.ts';
import { parseVerifyArguments, VERIFY_USAGE } from './archive/verify-arguments.ts';

await runArchiveTool({
  usage: VERIFY_USAGE,
  parse: parseVerifyArguments,
  // Loaded only when used: --help and a bad option answer without the SDK clients and lib/.
  load: async () => (await import('./archive/verify-command.ts')).runVerifyCommand,
});
