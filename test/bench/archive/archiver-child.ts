/**
 * Child process: archives one extension with the project's archiver (lib/archive/archiver.ts) on
 * S3 (s3rver) and the cursor store (dynalite), running until a run completes, while sampling its
 * own RSS. Started bundled (bundled-child.ts), as Lambda runs the function.
 */
import { createArchiver } from '../../../lib/archive/archiver.ts';
import { createS3ObjectStore } from '../../../lib/aws/s3-object-store.ts';
import { runAsChild } from '../support/child-process.ts';
import { startCpuProfile } from '../support/cpu-profile.ts';
import { type RssReport, startRssSampler } from '../support/rss-sampler.ts';
import {
  type ArchiveTargets,
  benchRingCentral,
  benchS3Client,
  benchStateStores,
} from './targets.ts';

/** What the parent sends. */
export interface ArchiverChildInput {
  targets: ArchiveTargets;
  extension: string;
  startDate: string;
  concurrency: number;
  /** Runs allowed before giving up (each run ends complete or at its deadline). */
  maxRuns: number;
  /**
   * RSS sampling interval; default 20 ms. The throughput bench, which reports no RSS, samples
   * rarely: the copy it is compared with samples nothing.
   */
  rssSampleMs?: number;
  /** Writes a V8 CPU profile of the archiving (not of loading) into this directory. */
  cpuProfileDirectory?: string;
}

/** What the child reports. */
export interface ArchiverChildResult {
  runs: number;
  complete: boolean;
  archivedMessages: number;
  storedAttachments: number;
  skippedAttachments: number;
  archivedBytes: number;
  failures: number;
  cursorAdvanced: boolean;
  durationMs: number;
  /**
   * CPU time of this process while archiving (user + system, all its threads, from
   * `process.cpuUsage()`), in microseconds: loading and login excluded.
   */
  cpuMicros: number;
  /** RSS while archiving (baseline after loading and logging in). */
  rss: RssReport;
  /** The process's lifetime peak RSS (getrusage maxRSS): everything, loading included. */
  lifetimePeakRssBytes: number;
}

runAsChild<ArchiverChildInput, ArchiverChildResult>(async (input) => {
  const { rc, tokenSource } = benchRingCentral(input.targets);
  await tokenSource.getToken();
  const archiver = createArchiver({
    ringCentral: rc,
    objects: createS3ObjectStore({
      bucket: input.targets.bucket,
      client: benchS3Client(input.targets),
    }),
    ...benchStateStores(input.targets),
    startDate: input.startDate,
    concurrency: input.concurrency,
  });
  const profile = await startCpuProfile(input.cpuProfileDirectory, 'archiver');
  const sampler = startRssSampler(input.rssSampleMs ?? 20);
  const startedAt = Date.now();
  const cpuAtStart = process.cpuUsage();
  const totals = {
    runs: 0,
    complete: false,
    archivedMessages: 0,
    storedAttachments: 0,
    skippedAttachments: 0,
    archivedBytes: 0,
    failures: 0,
    cursorAdvanced: false,
  };
  while (!totals.complete && totals.runs < input.maxRuns) {
    const run = await archiver.archiveExtension(input.extension, {
      deadline: Date.now() + 14 * 60_000,
    });
    totals.runs += 1;
    totals.complete = run.complete;
    totals.cursorAdvanced = run.cursorAdvanced;
    totals.archivedMessages += run.archivedMessages;
    totals.storedAttachments += run.storedAttachments;
    totals.skippedAttachments += run.skippedAttachments;
    totals.archivedBytes += run.archivedBytes;
    totals.failures += run.failures.length;
  }
  const durationMs = Date.now() - startedAt;
  const cpu = process.cpuUsage(cpuAtStart);
  await profile.stop();
  const rss = sampler.stop();
  return {
    ...totals,
    durationMs,
    cpuMicros: cpu.user + cpu.system,
    rss,
    lifetimePeakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
});
