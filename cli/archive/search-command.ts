/**
 * `npm run archive:search`: finds archived messages by party, date range, type, direction,
 * extension and subject text (lib/search/criteria.ts), streaming one line per match to stdout
 * and progress to stderr; with `--produce DIR` writes a production (lib/search/production.ts).
 * Exit code 0: done (also with no match); 1: the production found an object not as recorded;
 * 2: the command line is wrong.
 */
import { type SearchMatch, searchArchive } from '../../lib/search/local-search.ts';
import { PRODUCTION_SUMS, writeProduction } from '../../lib/search/production.ts';
import { parseOrExitCode } from '../command-line.ts';
import { progressLine } from './progress-line.ts';
import { parseSearchArguments, SEARCH_USAGE } from './search-arguments.ts';
import type { CommandIo } from './verify-command.ts';

function describeMatch({ key, manifest }: SearchMatch): string {
  const { message } = manifest;
  const parties = [
    message.from?.phoneNumber ?? message.from?.extensionNumber ?? '?',
    '->',
    ...(message.to ?? []).map((to) => to.phoneNumber ?? to.extensionNumber ?? '?'),
  ];
  return [
    key,
    message.creationTime,
    message.type,
    message.direction,
    parties.join(' '),
    `${manifest.attachments.length} attachments`,
  ].join('\t');
}

/** Runs the command; resolves to its exit code. */
export async function runSearchCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseOrExitCode(() => parseSearchArguments(argv), SEARCH_USAGE, io);
  if (typeof args === 'number') return args;
  const targets = await io.open(args.bucket);
  const showProgress = progressLine(io.stderr, io.now ?? Date.now);
  try {
    io.stderr(`Searching ${targets.description}\n`);
    const matches = searchArchive(targets.reader, args.criteria, {
      onProgress: (progress) => {
        showProgress(
          `${progress.listed} objects listed, ${progress.read} messages read, ${progress.matched} matched`,
        );
      },
      onUnreadable: (key) => io.stderr(`\nmessage.json does not parse: ${key}\n`),
    });
    const printed = (async function* () {
      for await (const match of matches) {
        io.stdout(describeMatch(match));
        yield match;
      }
    })();
    if (!args.produce) {
      let count = 0;
      for await (const _ of printed) count += 1;
      io.stderr(`\n${count} messages match\n`);
      return 0;
    }
    const summary = await writeProduction(targets.reader, printed, args.produce);
    for (const problem of summary.problems)
      io.stdout(`NOT AS RECORDED ${problem.key}: ${problem.detail}`);
    io.stderr(
      `\n${summary.messages} messages and ${summary.attachments} attachments (${summary.bytes} bytes) in ${args.produce}, hashes in ${PRODUCTION_SUMS}\n`,
    );
    return summary.problems.length === 0 ? 0 : 1;
  } finally {
    targets.close();
  }
}
