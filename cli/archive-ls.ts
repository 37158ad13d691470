/**
 * `npm run archive:ls`: lists the archive's keys over the S3 API (`cli/archive/browse-command.ts`).
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.js';
import { runLsCommand } from './archive/browse-command.ts';
import { runArchiveTool } from './archive/entry.ts';

await runArchiveTool(runLsCommand);
