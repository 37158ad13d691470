/**
 * `npm run archive:hold`: places (`--place`) or lifts (`--lift`) a legal hold on every archived
 * message that `archive:search` with the same criteria finds, its message.json and attachments in
 * every version (lib/search/legal-hold.ts). One line per message on stdout as it is set, progress
 * on stderr. Exit code 0: every matching message is set (also when none matches); 1: some could
 * not be set (each named; running it again sets the rest); 2: the command line is wrong.
 */
import { applyLegalHold, type LegalHoldStatus } from '../../lib/search/legal-hold.ts';
import { searchArchive } from '../../lib/search/local-search.ts';
import { parseOrExitCode, UsageError } from '../command-line.ts';
import { progressLine } from './progress-line.ts';
import { parseSearchArguments, type SearchArguments } from './search-command.ts';
import type { CommandIo } from './verify-command.ts';

/** How to call the command. */
export const HOLD_USAGE = `Usage: npm run archive:hold -- --place|--lift --from <date> --to <date> [--party <number>]
         [--type SMS,Fax] [--direction Inbound|Outbound] [--extension <id>,...] [--account <id>]
         [--text <words>] [--bucket <name>]

  --place       place a legal hold: S3 keeps every version of each matching message's
                message.json and attachments, past its retention, until the hold is lifted
  --lift        lift it: each version is kept again only as long as its retention says
  --from ...    the criteria of archive:search (npm run archive:search -- --help), which lists
                what a hold with the same criteria covers
  --bucket      a deployment's archive bucket (AWS_REGION and credentials from the environment;
                needs s3:ListBucketVersions and s3:PutObjectLegalHold). Default: the running
                npm start's archive
  --help        this text

Placing a hold already placed (or lifting one already lifted) changes nothing: run it again after
an interruption. Exit code: 0 every matching message is set, 1 some could not be, 2 usage.`;

/** The parsed command line. */
export interface HoldArguments extends Omit<SearchArguments, 'produce'> {
  status: LegalHoldStatus;
}

/** Parses the command line; throws {@link UsageError}. */
export function parseHoldArguments(argv: readonly string[]): HoldArguments {
  const place = argv.includes('--place');
  const lift = argv.includes('--lift');
  const search = parseSearchArguments(argv.filter((arg) => arg !== '--place' && arg !== '--lift'));
  if (search.help) return { ...search, status: 'ON' };
  if (search.produce !== undefined)
    throw new UsageError('--produce is an option of archive:search');
  if (place === lift) throw new UsageError('Say --place or --lift (one of them)');
  const { produce: _, ...criteria } = search;
  return { ...criteria, status: place ? 'ON' : 'OFF' };
}

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
