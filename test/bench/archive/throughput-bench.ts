/**
 * archive-throughput: the archiver's own cost, CPU seconds of its process per GiB of attachments
 * archived (sync and message.json included), as a ratio to those of a plain stream copy of the
 * same attachments from the local RingCentral to s3rver, in the same run, rate limits scaled off.
 * CPU per process is what Lambda bills and, unlike wall time, does not depend on how much of the
 * two shared cores s3rver, dynalite and the local RingCentral take. A second copy also writes one
 * small JSON object per message, as many objects as the archiver writes; wall-clock throughput
 * ratios stay as context. All run bundled in their own process with the deployed V8 flag and the
 * same concurrency.
 */
import { loadavg } from 'node:os';
import { benchResult, goal, median, mibPerSecond, round } from '../goals.ts';
import { archiveThroughputSettings as settings } from '../settings.ts';
import { runRotating } from '../support/rounds.ts';
import type { BenchResult } from '../types.ts';
import type { ArchiverChildInput, ArchiverChildResult } from './archiver-child.ts';
import { bundleChild, startBundledChild } from './bundled-child.ts';
import type { CopyChildInput, CopyChildResult } from './copy-child.ts';
import { benchStartDate, startArchiveServices } from './services.ts';

const GiB = 2 ** 30;

/** Runs a bundled child to its result and stops it. */
export async function runBundled<I, R>(file: string, input: I, label: string): Promise<R> {
  const child = startBundledChild(file, input, label);
  try {
    return await child.result<R>();
  } finally {
    await child.stop();
  }
}

/** Runs the archive-throughput benchmark (its name and description: test/bench/benchmarks.ts). */
export async function runArchiveThroughputBenchmark(): Promise<BenchResult> {
  const startedAt = Date.now();
  const startDate = benchStartDate(settings.spanDays);
  const services = await startArchiveServices({
    seed: 21,
    extensions: 1,
    messagesPerExtension: settings.messages,
    maxAttachmentBytes: settings.maxAttachmentBytes,
    startDate: benchStartDate(settings.spanDays - 1),
  });
  const archiverBundle = await bundleChild(new URL('./archiver-child.ts', import.meta.url), {
    // Readable names in the profile; the bundle is otherwise the deployed one.
    minify: settings.cpuProfileDirectory ? false : undefined,
  });
  const copyBundle = await bundleChild(new URL('./copy-child.ts', import.meta.url), {
    minify: settings.cpuProfileDirectory ? false : undefined,
  });
  try {
    const copies: CopyChildResult[] = [];
    const objectCopies: CopyChildResult[] = [];
    const archives: ArchiverChildResult[] = [];
    const copyInput = async (label: string, recordObjects: boolean): Promise<CopyChildInput> => ({
      targets: await services.freshTargets(label),
      extension: '~',
      startDate,
      concurrency: settings.concurrency,
      recordObjects,
      ...(settings.cpuProfileDirectory
        ? { cpuProfileDirectory: settings.cpuProfileDirectory }
        : {}),
    });
    const sides = [
      async () => {
        copies.push(await runBundled(copyBundle.file, await copyInput('copy', false), 'copy'));
      },
      async () => {
        const input = await copyInput('objects', true);
        objectCopies.push(await runBundled(copyBundle.file, input, 'copy with records'));
      },
      async () => {
        const input: ArchiverChildInput = {
          targets: await services.freshTargets('archive'),
          extension: '~',
          startDate,
          concurrency: settings.concurrency,
          maxRuns: 3,
          rssSampleMs: 1_000,
          ...(settings.cpuProfileDirectory
            ? { cpuProfileDirectory: settings.cpuProfileDirectory }
            : {}),
        };
        archives.push(await runBundled(archiverBundle.file, input, 'archiver'));
      },
    ];
    await runRotating(settings.rounds, sides);
    return throughputResult(startedAt, { copies, objectCopies, archives });
  } finally {
    await Promise.allSettled([archiverBundle.dispose(), copyBundle.dispose()]);
    await services.stop();
  }
}

/** Every round's result, per side. */
interface ThroughputRuns {
  copies: CopyChildResult[];
  objectCopies: CopyChildResult[];
  archives: ArchiverChildResult[];
}

/** CPU seconds of a child process per GiB of attachment bytes it moved. */
function cpuSecondsPerGiB(cpuMicros: number, bytes: number): number {
  return cpuMicros / 1e6 / (Math.max(1, bytes) / GiB);
}

/** One figure per round. */
function perRound(name: string, values: number[], unit: string) {
  return values.map((value, index) => ({
    name: `${name}, round ${index + 1}`,
    value: round(value, 2),
    unit,
  }));
}

/** The figures and goals of a run: CPU per GiB judged, wall-clock throughput as context. */
function throughputResult(startedAt: number, runs: ThroughputRuns): BenchResult {
  const { copies, objectCopies, archives } = runs;
  const first = archives[0];
  const copy = copies[0];
  if (!first || !copy || !objectCopies[0]) throw new Error('no runs');
  const copyCpu = copies.map((run) => cpuSecondsPerGiB(run.cpuMicros, run.bytes));
  const objectCopyCpu = objectCopies.map((run) => cpuSecondsPerGiB(run.cpuMicros, run.bytes));
  const archiveCpu = archives.map((run) => cpuSecondsPerGiB(run.cpuMicros, run.archivedBytes));
  const cpuRatio = median(archiveCpu) / median(copyCpu);
  const copyRates = copies.map((run) => mibPerSecond(run.bytes, run.durationMs));
  const objectCopyRates = objectCopies.map((run) => mibPerSecond(run.bytes, run.durationMs));
  const archiveRates = archives.map((run) => mibPerSecond(run.archivedBytes, run.durationMs));
  return benchResult('archive-throughput', startedAt, {
    figures: [
      { name: 'messages', value: copy.messages, unit: '' },
      { name: 'attachments', value: copy.attachments, unit: '' },
      { name: 'attachment bytes', value: copy.bytes, unit: 'B' },
      { name: 'objects written by the plain copy', value: copy.objects, unit: '' },
      {
        name: 'objects written by the archiver (round 1)',
        value: first.storedAttachments + first.archivedMessages,
        unit: '',
      },
      ...perRound('CPU plain copy', copyCpu, 's/GiB'),
      ...perRound('CPU copy writing the same objects', objectCopyCpu, 's/GiB'),
      ...perRound('CPU archiver', archiveCpu, 's/GiB'),
      { name: 'CPU archiver / plain copy (medians)', value: round(cpuRatio, 2), unit: 'x' },
      {
        name: 'CPU archiver / copy writing the same objects (medians)',
        value: round(median(archiveCpu) / median(objectCopyCpu), 2),
        unit: 'x',
      },
      ...perRound('wall plain copy', copyRates, 'MiB/s'),
      ...perRound('wall copy writing the same objects', objectCopyRates, 'MiB/s'),
      ...perRound('wall archiver', archiveRates, 'MiB/s'),
      {
        name: 'wall throughput archiver / plain copy (medians, context)',
        value: round(median(archiveRates) / median(copyRates), 2),
        unit: 'x',
      },
      {
        name: 'wall throughput archiver / copy writing the same objects (medians, context)',
        value: round(median(archiveRates) / median(objectCopyRates), 2),
        unit: 'x',
      },
      { name: 'archiver runs to complete (round 1)', value: first.runs, unit: '' },
    ],
    goals: [
      goal(
        'archiver CPU per GiB <= 1.3x the plain copy (medians)',
        round(cpuRatio, 2),
        '<=',
        1.3,
        'x',
      ),
      goal(
        'every archiver round completed and advanced the cursor',
        archives.filter((run) => run.complete && run.cursorAdvanced).length,
        '==',
        archives.length,
        'rounds',
      ),
      goal(
        'no archive failures',
        archives.reduce((sum, run) => sum + run.failures, 0),
        '==',
        0,
        '',
      ),
      goal(
        'the archiver stored every attachment byte the copy did',
        archives.every((run) => run.archivedBytes === copy.bytes) ? 1 : 0,
        '==',
        1,
        '(1 = equal)',
      ),
    ],
    notes: [
      `concurrency ${settings.concurrency} on every side; ${settings.rounds} rounds, order rotating; each run in a fresh bucket and state table`,
      'CPU = process.cpuUsage() (user + system, all threads) of each child around its work, login and loading excluded; per GiB of attachment bytes; s3rver, dynalite and the local RingCentral are not counted',
      'the archiver also hashes every byte, writes a message.json per message, its locators (25 per BatchWriteItem) and its cursor to dynalite; the plain copy only streams GET into PutObject',
      "the copy writing the same objects also puts each message's record as JSON after its attachments: the share of the cost that is the object count itself",
      `load average at the end: ${loadavg()
        .map((value) => round(value, 2))
        .join(' / ')}`,
    ],
  });
}
