/**
 * `npm run archive:verify`: walks the chain of custody and re-hashes the archive against it
 * (`lib/archive/custody-verify.ts`), printing each break on stdout as it is found and progress on
 * stderr. Exit code 0: the archive verifies; 1: a break; 2: the command line is wrong.
 */
import { verifyCustody } from '../../lib/archive/custody-verify.ts';
import { parseOrExitCode } from '../command-line.ts';
import { progressLine } from './progress-line.ts';
import type { ArchiveTargets } from './targets.ts';
import { parseVerifyArguments, VERIFY_USAGE } from './verify-arguments.ts';

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
