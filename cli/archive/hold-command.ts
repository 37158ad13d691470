/**
 * `npm run archive:hold`: places (`--place`) or lifts (`--lift`) a legal hold on every archived
 * message that `archive:search` with the same criteria finds, its message.json and attachments in
 * every version (lib/search/legal-hold.ts). One line per message on stdout as it is set, progress
 * on stderr. Exit code 0: every matching message is set (also when none matches); 1: some could
 * not be set (each named; running it again sets the rest); 2: the command line is wrong.
 */
import { applyLegalHold } from '../../lib/search/legal-hold.ts';
import { searchArchive } from '../../lib/search/local-search.ts';
import { parseOrExitCode } from '../command-line.ts';
import { HOLD_USAGE, parseHoldArguments } from './hold-arguments.ts';
import { progressLine } from './progress-line.ts';
import type { CommandIo } from './verify-command.ts';

/** Runs the command; resolves to its exit code. */
export async function runHoldCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseOrExitCode(() => parseHoldArguments(argv), HOLD_USAGE, io);
  if (typeof args === 'number') return args;
  const targets = await io.open(args.bucket);
  const verb = args.status === 'ON' ? 'HELD' : 'RELEASED';
  const showProgress = progressLine(io.stderr, io.now ?? Date.now);
  try {
    if (!targets.holds) throw new Error(`${targets.description} takes no legal holds`);
    io.stderr(
      `${args.status === 'ON' ? 'Placing' : 'Lifting'} a legal hold in ${targets.description}\n`,
    );
    const matches = searchArchive(targets.reader, args.criteria, {
      onUnreadable: (key) => io.stderr(`\nmessage.json does not parse: ${key}\n`),
    });
    const summary = await applyLegalHold(matches, targets.holds, args.status, {
      onProgress: (progress) => {
        showProgress(`${progress.messages} messages, ${progress.versions} object versions set`);
      },
      onSet: (key) => io.stdout(`${verb} ${key}`),
      onFailure: (key, error) => io.stdout(`FAILED ${key}: ${error}`),
    });
    io.stderr('\n');
    io.stdout(
      `${summary.failed === 0 ? 'DONE' : 'INCOMPLETE'} legal hold ${args.status} on ${summary.messages} messages (${summary.versions} object versions)${summary.failed ? `; ${summary.failed} messages could not be set` : ''}`,
    );
    return summary.failed === 0 ? 0 : 1;
  } finally {
    targets.close();
  }
}
