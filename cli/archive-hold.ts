/**
 * `npm run archive:hold -- --place|--lift --from <date> --to <date> [--party ...]`: places or
 * lifts a legal hold on every archived message a search matches (`cli/archive/hold-command.ts`).
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.js';
import { runArchiveTool } from './archive/entry.ts';
import { runHoldCommand } from './archive/hold-command.ts';

await runArchiveTool(runHoldCommand);
