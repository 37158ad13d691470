/**
 * `npm run archive:search -- --from <date> --to <date> [--party ...] [--produce DIR]`: searches
 * the archive and writes productions (`cli/archive/search-command.ts`).
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.js';
import { runArchiveTool } from './archive/entry.ts';
import { runSearchCommand } from './archive/search-command.ts';

await runArchiveTool(runSearchCommand);
