/**
 * `npm run archive:verify`'s command line: its usage and parser, light enough to answer `--help`
 * and a mistake before the command (`cli/archive/verify-command.ts`) and its SDK clients load.
 */
import { parseCommandLine, UsageError } from '../command-line.ts';

/** How to call the command. */
export const VERIFY_USAGE = `Usage: npm run archive:verify -- [--bucket <name>] [--sample <percent>%] [--max-gap <duration>]

  --bucket   a deployment's archive bucket (AWS_REGION and credentials from the environment;
             STATE_TABLE_NAME for the custody heads). Default: the running npm start's archive
  --sample   re-hash this share of the objects (e.g. 10%); every object is still listed and
             compared by size and entity tag. Default: 100%
  --max-gap  longest time allowed between two manifests of an account (90m, 24h, 7d). Default: 7d
  --help     this text

Exit code: 0 the archive verifies, 1 a break was found, 2 usage.`;

/** The parsed command line. */
export interface VerifyArguments {
  bucket?: string;
  sampleRate: number;
  maxGapMs: number;
  help: boolean;
}

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90m`, `24h`, `7d` in milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([mhd])$/.exec(text);
  if (!match) throw new UsageError(`--max-gap must look like 90m, 24h or 7d, not ${text}`);
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

function parseSample(text: string): number {
  const match = /^(\d+(?:\.\d+)?)%?$/.exec(text);
  const percent = match ? Number(match[1]) : Number.NaN;
  if (!(percent > 0 && percent <= 100)) {
    throw new UsageError(`--sample must be a percentage above 0 and at most 100, not ${text}`);
  }
  return percent / 100;
}

/** Parses the command line; throws {@link UsageError}. */
export function parseVerifyArguments(argv: readonly string[]): VerifyArguments {
  const { values } = parseCommandLine(argv, {
    bucket: { type: 'string' },
    sample: { type: 'string' },
    'max-gap': { type: 'string' },
  });
  return {
    ...(typeof values.bucket === 'string' ? { bucket: values.bucket } : {}),
    sampleRate: typeof values.sample === 'string' ? parseSample(values.sample) : 1,
    maxGapMs: parseDuration(typeof values['max-gap'] === 'string' ? values['max-gap'] : '7d'),
    help: values.help === true,
  };
}
