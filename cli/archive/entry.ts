/**
 * What the archive tools (`archive:ls`, `cat`, `search`, `hold`, `verify`, `adopt`) do around
 * their command: the process's arguments and streams, the archive targets (the running
 * `npm start` under LOCAL_DATA_DIR, or a deployment's bucket), and a target that cannot be opened
 * answered with one line and exit code 2 instead of a stack trace. The command line is parsed
 * before the command loads, so `--help` and a mistake answer without the SDK clients or lib/.
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../local/stack/bundles.ts';
import { parseOrExitCode } from '../command-line.ts';
import type { CommandIo } from './verify-command.ts';

/** One archive tool: its command line, and its command, loaded only to run it. */
export interface ArchiveTool {
  usage: string;
  /** Throws a UsageError for a command line the command cannot run with. */
  parse(argv: readonly string[]): { help: boolean };
  load(): Promise<(argv: readonly string[], io: CommandIo) => Promise<number>>;
}

/** Runs one archive tool as the process's entry point and sets its exit code. */
export async function runArchiveTool(tool: ArchiveTool): Promise<void> {
  const dataDir = process.env.LOCAL_DATA_DIR || join(PROJECT_ROOT, '.local');
  const argv = process.argv.slice(2);
  const io: CommandIo = {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (text) => process.stderr.write(text),
    open: async (bucket) =>
      (await import('./targets.ts')).openArchiveTargets(bucket, process.env, dataDir),
  };
  const answered = parseOrExitCode(() => tool.parse(argv), tool.usage, io);
  if (typeof answered === 'number') {
    process.exitCode = answered;
    return;
  }
  // The command parses the line again (cheaply): it stays callable on its own, as tests call it.
  const command = await tool.load();
  try {
    process.exitCode = await command(argv, io);
  } catch (error) {
    if (!(error instanceof (await import('./targets.ts')).ArchiveTargetsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  }
}
