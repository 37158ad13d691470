/**
 * The backfill's run once its command line is parsed (cli/backfill.ts parses it first, so `--help`
 * and a mistake answer without loading this): opens the targets (`cli/backfill/targets.ts`), runs
 * `lib/backfill/run.ts` with a progress bar, and stops at once on Ctrl+C with the checkpoint saved.
 */
import { join } from 'node:path';
import { createFileCheckpointStore } from '../../lib/backfill/checkpoint.ts';
import { runBackfill } from '../../lib/backfill/run.ts';
import { type BackfillArguments, describeReach } from './arguments.ts';
import { createProgressReporter, formatBytes, formatDuration } from './progress.ts';
import { type BackfillTargets, BackfillTargetsError, openBackfillTargets } from './targets.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Runs the backfill `args` ask for, against the targets the environment names (or the local ones,
 * under `dataDir`); resolves to the exit code: 0 done, 1 failures, 2 no targets, 130 interrupted.
 */
export async function runBackfillCommand(
  args: BackfillArguments,
  dataDir: string,
): Promise<number> {
  const checkpointFile = args.checkpointFile ?? join(dataDir, 'backfill', 'checkpoint.json');
  const checkpoints = createFileCheckpointStore(checkpointFile);
  if (args.restart) await checkpoints.clear();

  const controller = new AbortController();
  let interrupted = false;
  const interrupt = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\nStopping; run the same command again to resume.\n');
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  let targets: BackfillTargets;
  try {
    targets = await openBackfillTargets(process.env, dataDir);
  } catch (error) {
    if (!(error instanceof BackfillTargetsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  for (const line of targets.description) print(line);
  print(`Checkpoint: ${checkpointFile}`);
  print(
    `Backfilling ${args.dateFrom} .. ${args.dateTo ?? 'now'}, types ${args.messageTypes?.join(',') ?? 'all'}`,
  );
  print(describeReach(args));
  const reporter = createProgressReporter(process.stdout);
  let exitCode = 0;
  try {
    const result = await runBackfill({
      ringCentral: targets.ringCentral,
      objects: targets.objects,
      locators: targets.locators,
      custody: { heads: targets.custodyHeads },
      checkpoints,
      request: {
        dateFrom: args.dateFrom,
        ...(args.dateTo ? { dateTo: args.dateTo } : {}),
        ...(args.messageTypes ? { messageTypes: args.messageTypes } : {}),
      },
      ...(args.extensions ? { extensions: args.extensions } : {}),
      forceList: args.forceList,
      verifyStored: args.verify,
      signal: controller.signal,
      onProgress: (progress) => reporter.update(progress),
      log: (line) => {
        reporter.finish();
        print(line);
      },
    });
    reporter.finish();
    print(
      [
        `${result.complete ? 'Done' : 'Finished with failures'} (${result.mode}${result.fallbackReason ? `: ${result.fallbackReason}` : ''}) in ${formatDuration(result.durationMs)}:`,
        `${result.messagesTotal} messages, ${result.messagesArchived} archived, ${result.messagesUnchanged} already archived;`,
        `${result.attachmentsStored} attachments stored (${formatBytes(result.bytesStored)}), ${result.attachmentsSkipped} already stored;`,
        `${formatBytes(result.bytesDownloaded)} downloaded${result.archivesTotal ? ` from ${result.archivesTotal} export archives (${result.archivesSkipped} done earlier)` : ''}.`,
      ].join(' '),
    );
    for (const failure of result.failures.slice(0, 20))
      print(`  failed ${failure.messageId}: ${failure.error}`);
    if (!result.complete) exitCode = 1;
  } catch (error) {
    reporter.finish();
    if (controller.signal.aborted) {
      print('Interrupted; the checkpoint is saved. Run the same command again to resume.');
      exitCode = 130;
    } else {
      process.stderr.write(
        `Backfill failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      exitCode = 1;
    }
  } finally {
    await targets.close();
  }
  return exitCode;
}
