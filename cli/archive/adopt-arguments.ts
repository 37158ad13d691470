/**
 * `npm run archive:adopt`'s command line: its usage and parser, light enough to answer `--help`
 * and a mistake before the command (`cli/archive/adopt-command.ts`) and its SDK clients load.
 */
import { parseCommandLine, UsageError } from '../command-line.ts';

/** How to call the command. */
export const ADOPT_USAGE = `Usage: npm run archive:adopt -- [--account <id>] [--bucket <name>]

  Records into the chain of custody every object under archive/ that no custody manifest records
  and that was written before the account's custody began (its first manifest; for an account
  without one, this adoption), hashed now, in manifests of kind "adoption". Objects in no manifest
  written after custody began are not adopted: they are named, and archive:verify keeps
  reporting them. Running it again adopts nothing new.

  --account  only this account
  --bucket   a deployment's archive bucket (AWS_REGION and credentials from the environment;
             STATE_TABLE_NAME for the custody heads, required). Default: the running npm start's
  --help     this text

Exit code: 0 nothing is left outside the chain, 1 some objects were not adopted, 2 usage.`;

/** The parsed command line. */
export interface AdoptArguments {
  accountId?: string;
  bucket?: string;
  help: boolean;
}

/** Parses the command line; throws {@link UsageError}. */
export function parseAdoptArguments(argv: readonly string[]): AdoptArguments {
  const { values } = parseCommandLine(argv, {
    account: { type: 'string' },
    bucket: { type: 'string' },
  });
  if (typeof values.account === 'string' && !/^[0-9A-Za-z_-]{1,64}$/.test(values.account)) {
    throw new UsageError(`--account must be an account id, not ${values.account}`);
  }
  return {
    ...(typeof values.account === 'string' ? { accountId: values.account } : {}),
    ...(typeof values.bucket === 'string' ? { bucket: values.bucket } : {}),
    help: values.help === true,
  };
}
