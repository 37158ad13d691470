/**
 * `npm run archive:adopt`: records into the chain of custody the objects archived before it began
 * (lib/archive/custody-adoption.ts), in manifests of kind `adoption`, and names every object in
 * no manifest that it does not adopt because it was written after custody began. Exit code 0:
 * nothing under archive/ is left outside the chain; 1: some objects were not adopted (each
 * named); 2: the command line is wrong.
 */
import { randomUUID } from 'node:crypto';
import { adoptPreCustodyObjects } from '../../lib/archive/custody-adoption.ts';
import { parseOrExitCode } from '../command-line.ts';
import { ADOPT_USAGE, parseAdoptArguments } from './adopt-arguments.ts';
import { progressLine } from './progress-line.ts';
import type { CommandIo } from './verify-command.ts';

/** Runs the command; resolves to its exit code. */
export async function runAdoptCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseOrExitCode(() => parseAdoptArguments(argv), ADOPT_USAGE, io);
  if (typeof args === 'number') return args;
  const targets = await io.open(args.bucket);
  const now = io.now ?? Date.now;
  const showProgress = progressLine(io.stderr, now);
  try {
    if (!targets.heads || !targets.objects) {
      io.stderr(
        `Adoption appends to the custody chains: ${targets.description} has no custody heads (set STATE_TABLE_NAME)\n`,
      );
      return 2;
    }
    io.stderr(`Adopting pre-custody objects of ${targets.description}\n`);
    const summary = await adoptPreCustodyObjects({
      reader: targets.reader,
      objects: targets.objects,
      heads: targets.heads,
      now,
      runId: `adoption-${randomUUID()}`,
      ...(args.accountId ? { accountId: args.accountId } : {}),
      onRefused: (listed, reason) => io.stdout(`NOT ADOPTED ${listed.key}: ${reason}`),
      onProgress: (progress) => {
        showProgress(`${progress.listed} objects listed, ${progress.adopted} adopted`);
      },
    });
    io.stderr('\n');
    for (const head of summary.manifests)
      io.stdout(`MANIFEST ${head.key} (account ${head.accountId}, sequence ${head.sequence})`);
    io.stdout(
      `${summary.refused === 0 ? 'DONE' : 'INCOMPLETE'} ${summary.adopted} objects adopted in ${summary.manifests.length} manifests; ${summary.refused} not adopted (written after custody began)`,
    );
    return summary.refused === 0 ? 0 : 1;
  } finally {
    targets.close();
  }
}
