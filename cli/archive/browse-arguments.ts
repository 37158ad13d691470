/**
 * The command lines of `npm run archive:ls` and `archive:cat`: their usage and parsers, light
 * enough to answer `--help` and a mistake before the commands (`cli/archive/browse-command.ts`)
 * and their SDK clients load.
 */
import { parseCommandLine, UsageError } from '../command-line.ts';

/** How to call `archive:ls`. */
export const LS_USAGE = `Usage: npm run archive:ls -- [<prefix>] [--bucket <name>]

  Lists the archive's keys under <prefix> (default: everything) with their sizes, one a line,
  e.g. npm run archive:ls -- archive/400131880008/101001/2026/
  --bucket  a deployment's archive bucket (AWS_REGION and credentials from the environment).
            Default: the running npm start's archive
  --help    this text`;

/** How to call `archive:cat`. */
export const CAT_USAGE = `Usage: npm run archive:cat -- <key> [--bucket <name>]

  Writes one archived object (a message.json, an attachment) to stdout, e.g.
  npm run archive:cat -- archive/400131880008/101001/2026/12/06/1724099032020/message.json
  --bucket  as for archive:ls
  --help    this text`;

/** Parses `archive:ls`'s command line; throws {@link UsageError}. */
export function parseLsArguments(argv: readonly string[]) {
  const { values, positionals } = parseCommandLine(argv, { bucket: { type: 'string' } }, true);
  if (positionals.length > 1) throw new UsageError(`Unexpected argument ${positionals[1]}`);
  return { bucket: values.bucket, path: positionals[0], help: values.help === true };
}

/** Parses `archive:cat`'s command line; throws {@link UsageError}. */
export function parseCatArguments(argv: readonly string[]) {
  const parsed = parseLsArguments(argv);
  if (!parsed.help && !parsed.path) throw new UsageError('<key> is required');
  return parsed;
}
