/**
 * `npm run archive:verify -- [--bucket <name>] [--sample 10%] [--max-gap 7d]`: verifies the
 * archive against its chain of custody (`cli/archive/verify-command.ts`).
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.js';
import { runArchiveTool } from './archive/entry.ts';
import { runVerifyCommand } from './archive/verify-command.ts';

await runArchiveTool(runVerifyCommand);
