/**
 * `npm run archive:search -- --from <date> --to <date> [--party ...] [--produce DIR]`: searches
 * the archive and writes productions (`cli/archive/search-command.ts`).
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../local/stack/bundles.ts';
import { runSearchCommand } from './archive/search-command.ts';
import { ArchiveTargetsError, openArchiveTargets } from './archive/targets.ts';

const dataDir = process.env.LOCAL_DATA_DIR || join(PROJECT_ROOT, '.local');
try {
  process.exitCode = await runSearchCommand(process.argv.slice(2), {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (text) => process.stderr.write(text),
    open: (bucket) => openArchiveTargets(bucket, process.env, dataDir),
  });
} catch (error) {
  if (!(error instanceof ArchiveTargetsError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 2;
}
