/**
 * `npm run archive:adopt -- [--account <id>] [--bucket <name>]`: records the objects archived
 * before custody began into the chain of custody (`cli/archive/adopt-command.ts`).
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.js';
import { runAdoptCommand } from './archive/adopt-command.ts';
import { runArchiveTool } from './archive/entry.ts';

await runArchiveTool(runAdoptCommand);
