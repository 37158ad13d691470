/**
 * `npm run archive:search`'s command line (also the criteria of `archive:hold`): its usage and
 * parser, light enough to answer `--help` and a mistake before the command loads.
 */
import { partyDigits, type SearchCriteria } from '../../lib/search/criteria.ts';
import { parseCommandLine, UsageError } from '../command-line.ts';

/** How to call the command. */
export const SEARCH_USAGE = `Usage: npm run archive:search -- --from <date> --to <date> [--party <number>] [--type SMS,Fax]
         [--direction Inbound|Outbound] [--extension <id>,...] [--account <id>] [--text <words>]
         [--produce <dir>] [--bucket <name>]

  --from, --to  creation dates: 2024-03-01 (a plain --to date includes that day) or ISO date-times
  --party       a phone or extension number in any format (+1 650 555 0100): sender or recipient
  --type        message types (SMS, Fax, VoiceMail, Pager), --direction Inbound or Outbound
  --extension   extension ids the messages are archived under; --account an account id
  --text        words the subject contains (case-insensitive)
  --produce     write the matching message.json files, their attachments (verified against
                message.json) and SHA256SUMS into this directory
  --bucket      a deployment's archive bucket (AWS_REGION and credentials from the environment).
                Default: the running npm start's archive
  --help        this text

Exit code: 0 done, 1 an object of the production is not as recorded, 2 usage.`;

/** The parsed command line. */
export interface SearchArguments {
  criteria: SearchCriteria;
  produce?: string;
  bucket?: string;
  help: boolean;
}

const DAY_MS = 86_400_000;
const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseDate(text: string | undefined, option: string, endOfDay: boolean): string {
  if (text === undefined) throw new UsageError(`${option} is required`);
  const time = Date.parse(PLAIN_DATE.test(text) ? `${text}T00:00:00.000Z` : text);
  if (Number.isNaN(time))
    throw new UsageError(`${option} must be a date (2024-03-01) or an ISO date-time, not ${text}`);
  return new Date(PLAIN_DATE.test(text) && endOfDay ? time + DAY_MS : time).toISOString();
}

const list = (text: string | undefined, lower: boolean) =>
  text === undefined
    ? undefined
    : text
        .split(',')
        .map((item) => (lower ? item.trim().toLowerCase() : item.trim()))
        .filter(Boolean);

/** Parses the command line; throws {@link UsageError}. */
export function parseSearchArguments(argv: readonly string[]): SearchArguments {
  const stringOption = { type: 'string' } as const;
  const { values }: { values: Record<string, unknown> } = parseCommandLine(argv, {
    party: stringOption,
    from: stringOption,
    to: stringOption,
    type: stringOption,
    direction: stringOption,
    extension: stringOption,
    account: stringOption,
    text: stringOption,
    produce: stringOption,
    bucket: stringOption,
  });
  const text = (name: string) =>
    typeof values[name] === 'string' ? (values[name] as string) : undefined;
  if (values.help === true) return { criteria: { from: '', to: '' }, help: true };
  const criteria: SearchCriteria = {
    from: parseDate(text('from'), '--from', false),
    to: parseDate(text('to'), '--to', true),
  };
  if (Date.parse(criteria.to) <= Date.parse(criteria.from))
    throw new UsageError('--to must be after --from');
  const party = text('party');
  if (party !== undefined) {
    criteria.party = partyDigits(party);
    if (criteria.party === '') throw new UsageError(`--party must contain digits, not ${party}`);
  }
  const types = list(text('type'), true);
  if (types) criteria.types = types;
  const directions = list(text('direction'), true);
  if (directions) {
    if (directions.some((direction) => direction !== 'inbound' && direction !== 'outbound')) {
      throw new UsageError('--direction must be Inbound or Outbound');
    }
    criteria.directions = directions;
  }
  const extensions = list(text('extension'), false);
  if (extensions) criteria.extensionIds = extensions;
  const account = text('account');
  if (account !== undefined) criteria.accountId = account;
  const words = text('text');
  if (words !== undefined) criteria.text = words.toLowerCase();
  const produce = text('produce');
  const bucket = text('bucket');
  return { criteria, ...(produce ? { produce } : {}), ...(bucket ? { bucket } : {}), help: false };
}
