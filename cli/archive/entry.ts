/**
 * What the four archive tools (`archive:ls`, `archive:cat`, `archive:search`, `archive:verify`)
 * do around their command: the process's arguments and streams, the archive targets (the running
 * `npm start` under LOCAL_DATA_DIR, or a deployment's bucket), and a target that cannot be opened
 * answered with one line and exit code 2 instead of a stack trace.
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../local/stack/bundles.ts';
import { ArchiveTargetsError, openArchiveTargets } from './targets.ts';
import type { CommandIo } from './verify-command.ts';

/** Runs one archive command as the process's entry point and sets its exit code. */
export async function runArchiveTool(
  command: (argv: readonly string[], io: CommandIo) => Promise<number>,
): Promise<void> {
  const dataDir = process.env.LOCAL_DATA_DIR || join(PROJECT_ROOT, '.local');
  try {
    process.exitCode = await command(process.argv.slice(2), {
      stdout: (line) => process.stdout.write(`${line}\n`),
      stderr: (text) => process.stderr.write(text),
      open: (bucket) => openArchiveTargets(bucket, process.env, dataDir),
    });
  } catch (error) {
    if (!(error instanceof ArchiveTargetsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  }
}
