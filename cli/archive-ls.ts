/**
 * `npm run archive:ls`: lists the archive's keys over the S3 API (`cli/archive/browse-command.ts`).
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.ts';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../local/stack/bundles.ts';
import { runLsCommand } from './archive/browse-command.ts';
import { ArchiveTargetsError, openArchiveTargets } from './archive/targets.ts';

const dataDir = process.env.LOCAL_DATA_DIR || join(PROJECT_ROOT, '.local');
try {
  process.exitCode = await runLsCommand(process.argv.slice(2), {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (text) => process.stderr.write(text),
    open: (bucket) => openArchiveTargets(bucket, process.env, dataDir),
  });
} catch (error) {
  if (!(error instanceof ArchiveTargetsError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 2;
}
