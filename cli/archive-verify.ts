/**
 * `npm run archive:verify -- [--bucket <name>] [--sample 10%] [--max-gap 7d]`: verifies the
 * archive against its chain of custody (`cli/archive/verify-command.ts`).
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../local/stack/bundles.ts';
import { ArchiveTargetsError, openArchiveTargets } from './archive/targets.ts';
import { runVerifyCommand } from './archive/verify-command.ts';

const dataDir = process.env.LOCAL_DATA_DIR || join(PROJECT_ROOT, '.local');
try {
  process.exitCode = await runVerifyCommand(process.argv.slice(2), {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (text) => process.stderr.write(text),
    open: (bucket) => openArchiveTargets(bucket, process.env, dataDir),
  });
} catch (error) {
  if (!(error instanceof ArchiveTargetsError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 2;
}
