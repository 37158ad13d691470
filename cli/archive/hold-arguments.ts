/**
 * `npm run archive:hold`'s command line: its usage and parser, light enough to answer `--help`
 * and a mistake before the command (`cli/archive/hold-command.ts`) and its SDK clients load.
 */
import type { LegalHoldStatus } from '../../lib/search/legal-hold.ts';
import { UsageError } from '../command-line.ts';
import { parseSearchArguments, type SearchArguments } from './search-arguments.ts';

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
