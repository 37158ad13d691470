/**
 * `npm run archive:verify`: walks the chain of custody and re-hashes the archive against it
 * (`lib/archive/custody-verify.ts`), printing each break on stdout as it is found and progress on
 * stderr. Exit code 0: the archive verifies; 1: a break; 2: the command line is wrong.
 */
import { verifyCustody } from '../../lib/archive/custody-verify.ts';
import { parseCommandLine, parseOrExitCode, UsageError } from '../command-line.ts';
import { progressLine } from './progress-line.ts';
import type { ArchiveTargets } from './targets.ts';

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

/** Where the command writes, and how it finds the archive. */
export interface CommandIo {
  stdout(line: string): void;
  stderr(text: string): void;
  open(bucket: string | undefined): Promise<ArchiveTargets>;
  /** Milliseconds, for spacing progress lines. */
  now?: () => number;
}

/** Runs the command; resolves to its exit code. */
export async function runVerifyCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseOrExitCode(() => parseVerifyArguments(argv), VERIFY_USAGE, io);
  if (typeof args === 'number') return args;
  const targets = await io.open(args.bucket);
  const showProgress = progressLine(io.stderr, io.now ?? Date.now);
  try {
    io.stderr(`Verifying ${targets.description}\n`);
    const summary = await verifyCustody({
      reader: targets.reader,
      ...(targets.heads ? { heads: targets.heads } : {}),
      sampleRate: args.sampleRate,
      maxGapMs: args.maxGapMs,
      onBreak: (found) => io.stdout(`BREAK ${found.kind} ${found.key}: ${found.detail}`),
      onProgress: (progress) => {
        showProgress(
          `${progress.phase}: ${progress.manifests} manifests, ${progress.objects} objects, ${progress.hashed} re-hashed, ${progress.breaks} breaks`,
        );
      },
    });
    const counts = `${summary.manifests} manifests of ${summary.accounts.length} accounts, ${summary.objects} objects, ${summary.hashed} re-hashed (${summary.hashedBytes} bytes)`;
    io.stderr('\n');
    io.stdout(summary.passed ? `PASS ${counts}` : `FAIL ${summary.breaks} breaks; ${counts}`);
    return summary.passed ? 0 : 1;
  } finally {
    targets.close();
  }
}
