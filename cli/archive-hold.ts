/**
 * `npm run archive:hold -- --place|--lift --from <date> --to <date> [--party ...]`: places or
 * lifts a legal hold on every archived message a search matches (`cli/archive/hold-command.ts`).
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.js';
import { runArchiveTool } from './archive/entry.ts';
import { HOLD_USAGE, parseHoldArguments } from './archive/hold-arguments.ts';

await runArchiveTool({
  usage: HOLD_USAGE,
  parse: parseHoldArguments,
  // Loaded only when used: --help and a bad option answer without the SDK clients and lib/.
  load: async () => (await import('./archive/hold-command.ts')).runHoldCommand,
});
