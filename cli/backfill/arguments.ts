/**
 * The backfill command's arguments: `--from <date> [--to <date>] [--types Fax,VoiceMail]
 * [--extensions ~,101] [--list] [--verify] [--restart] [--checkpoint <file>]`.
 */

import { BACKFILL_MESSAGE_TYPES } from '../../lib/backfill/request.ts';
import type { MessageType } from '../../lib/ringcentral/types.ts';

/** The parsed command line. */
export interface BackfillArguments {
  /** ISO date-time (a plain date means its midnight UTC). */
  dateFrom: string;
  dateTo?: string;
  messageTypes?: MessageType[];
  extensions?: string[];
  /** Skip the export and list. */
  forceList: boolean;
  /** Read every uploaded attachment back before its message.json. */
  verify: boolean;
  /** Ignore (and replace) the checkpoint. */
  restart: boolean;
  checkpointFile?: string;
  help: boolean;
}

/** A command line the backfill cannot run with; the message says what to fix. */
export class BackfillUsageError extends Error {
  override readonly name = 'BackfillUsageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** How to call the command. */
export const BACKFILL_USAGE = `Usage: npm run backfill -- --from <date> [--to <date>] [--types Fax,SMS,VoiceMail,Pager]
                          [--extensions ~,<id>] [--list] [--verify] [--restart] [--checkpoint <file>]

  --from        oldest creation date to archive (2024-01-01 or an ISO date-time)
  --to          newest creation date (default: now)
  --types       message types (default: all four)
  --extensions  extensions the listing fallback reads (default: ~); the export covers the account
  --list        list and download instead of using the message-store export
  --verify      read every uploaded attachment back (size, digests) before its message.json
  --restart     ignore the checkpoint of an earlier run
  --checkpoint  checkpoint file (default: .local/backfill/checkpoint.json)`;

function isoDate(value: string, name: string): string {
  const plainDate = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const time = Date.parse(plainDate ? `${value}T00:00:00Z` : value);
  const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
  if (Number.isNaN(time) || (!plainDate && !dateTime.test(value))) {
    throw new BackfillUsageError(`--${name} must be a date (2024-01-01) or an ISO date-time`);
  }
  return new Date(time).toISOString();
}

/** Parses the arguments after `npm run backfill --`. */
export function parseBackfillArguments(argv: readonly string[]): BackfillArguments {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const valued = new Set(['from', 'to', 'types', 'extensions', 'checkpoint']);
  const switches = new Set(['list', 'verify', 'restart', 'help']);
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] as string;
    const match = /^--([a-z]+)(?:=(.*))?$/s.exec(argument);
    const name = match?.[1];
    if (!match || name === undefined)
      throw new BackfillUsageError(`Unexpected argument ${argument}`);
    if (switches.has(name) && match[2] === undefined) {
      flags.add(name);
    } else if (valued.has(name)) {
      const value = match[2] ?? argv[++index];
      if (value === undefined || value.startsWith('--')) {
        throw new BackfillUsageError(`--${name} needs a value`);
      }
      values.set(name, value);
    } else {
      throw new BackfillUsageError(`Unknown option --${name}`);
    }
  }
  const help = flags.has('help');
  const from = values.get('from');
  if (from === undefined) {
    if (help) return { dateFrom: '', forceList: false, verify: false, restart: false, help };
    throw new BackfillUsageError('--from is required');
  }
  const parsed: BackfillArguments = {
    dateFrom: isoDate(from, 'from'),
    forceList: flags.has('list'),
    verify: flags.has('verify'),
    restart: flags.has('restart'),
    help,
  };
  const to = values.get('to');
  if (to !== undefined) {
    parsed.dateTo = isoDate(to, 'to');
    if (Date.parse(parsed.dateTo) < Date.parse(parsed.dateFrom)) {
      throw new BackfillUsageError('--to is before --from');
    }
  }
  const types = values.get('types');
  if (types !== undefined) {
    const list = types
      .split(',')
      .map((type) => type.trim())
      .filter(Boolean);
    const known = new Map(BACKFILL_MESSAGE_TYPES.map((type) => [type.toLowerCase(), type]));
    parsed.messageTypes = list.map((type) => {
      const match = known.get(type.toLowerCase());
      if (!match) {
        throw new BackfillUsageError(
          `--types: ${type} is not one of ${BACKFILL_MESSAGE_TYPES.join(', ')}`,
        );
      }
      return match;
    });
    if (parsed.messageTypes.length === 0) throw new BackfillUsageError('--types is empty');
  }
  const extensions = values.get('extensions');
  if (extensions !== undefined) {
    parsed.extensions = extensions
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean);
    if (!parsed.extensions.every((id) => id === '~' || /^[0-9]{1,20}$/.test(id))) {
      throw new BackfillUsageError('--extensions takes ~ and extension ids, comma-separated');
    }
  }
  const checkpoint = values.get('checkpoint');
  if (checkpoint !== undefined) parsed.checkpointFile = checkpoint;
  return parsed;
}

/**
 * What the run covers, said before it starts (not only in `--help`): the export reaches every
 * extension of the account, further than the scheduled archive; the listing only `--extensions`.
 */
export function describeReach(args: Pick<BackfillArguments, 'forceList' | 'extensions'>): string {
  const listed = (args.extensions ?? ['~']).join(',');
  if (args.forceList) {
    return `Reach: only extensions ${listed} (--list; ~ is the JWT user's own mailbox). Without --list the export covers the whole account.`;
  }
  return `Reach: the whole account, every extension (message-store export), unlike the scheduled archive, which reads only ARCHIVE_EXTENSIONS (default ~, the JWT user's own mailbox). If the export is unavailable, only extensions ${listed} are listed.`;
}
