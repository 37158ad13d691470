/**
 * Every benchmark `npm run bench` runs, in order: its name and description here, its code loaded
 * only to run it, so `npm run bench -- --help` and a mistake answer without loading the AWS SDK,
 * aws-cdk-lib and the local servers every benchmark brings. Add a new one here.
 */
import { round } from './goals.ts';
import {
  archiveMemorySettings,
  archiveRequestsSettings,
  archiveThroughputSettings,
  backfillSettings,
  purgeRequestsSettings,
  rateLimitsSettings,
  SMS_BATCH_RECIPIENTS,
  sendFleetSettings,
  streamingSettings,
} from './settings.ts';
import type { Benchmark } from './types.ts';

const MB = 1_000_000;
const MiB = 2 ** 20;

/** Every benchmark, in the order `npm run bench` runs them. */
export const BENCHMARKS: readonly Benchmark[] = [
  {
    name: 'rate-limits',
    description: `mixed workload of ${rateLimitsSettings.requests} requests (Light/Medium/Heavy) against the emulator, windows x${rateLimitsSettings.windowScale}`,
    run: async () => (await import('./rate-limits/bench.ts')).runRateLimitsBenchmark(),
  },
  {
    name: 'streaming',
    description: `read a ${streamingSettings.attachmentBytes / MiB} MiB attachment through the client: RSS growth and resume after a drop`,
    run: async () => (await import('./streaming/bench.ts')).runStreamingBenchmark(),
  },
  {
    name: 'send-sms-latency',
    description:
      'warm send-sms handler vs a bare ky POST to the same local RingCentral endpoint, same run',
    run: async () => (await import('./send-latency/bench.ts')).runSendLatencyBenchmark(),
  },
  {
    name: 'send-fleet',
    description: `${sendFleetSettings.senders} send processes + an archive worker as one RingCentral user, windows x${sendFleetSettings.windowScale}, shared budget on dynalite vs local pacers only`,
    run: async () => (await import('./send-fleet/bench.ts')).runSendFleetBenchmark(),
  },
  {
    name: 'sms-batch',
    description: `${SMS_BATCH_RECIPIENTS} recipients through POST /sms/batches (RingCentral requests, time) vs single sends at 40/min`,
    run: async () => (await import('./sms-batch/bench.ts')).runSmsBatchBenchmark(),
  },
  {
    name: 'bundles',
    description: 'bundle size and cold import time per function vs a hello-world S3 bundle',
    run: async () => (await import('./bundles/bench.ts')).runBundlesBenchmark(),
  },
  {
    name: 'archive-throughput',
    description: `archive ${archiveThroughputSettings.messages} messages (attachments up to ${round(archiveThroughputSettings.maxAttachmentBytes / MiB, 1)} MiB): CPU per GiB against a plain stream copy, rate limits off`,
    run: async () =>
      (await import('./archive/throughput-bench.ts')).runArchiveThroughputBenchmark(),
  },
  {
    name: 'archive-memory',
    description: `peak RSS of the archiver process archiving a mailbox with a ${archiveMemorySettings.largeBytes / MB} MB attachment`,
    run: async () => (await import('./archive/memory-bench.ts')).runArchiveMemoryBenchmark(),
  },
  {
    name: 'archive-requests',
    description: `RingCentral requests per archived message, ${archiveRequestsSettings.messages} messages`,
    run: async () => (await import('./archive/requests-bench.ts')).runArchiveRequestsBenchmark(),
  },
  {
    name: 'archive-search',
    description: 'local archive search at 10,000 and 100,000 messages: time and peak memory (flat)',
    run: async () => (await import('./archive-search/bench.ts')).runArchiveSearchBenchmark(),
  },
  {
    name: 'purge-requests',
    description: `RingCentral requests of a purge run over ~${purgeRequestsSettings.messages} archived messages`,
    run: async () => (await import('./archive/purge-bench.ts')).runPurgeRequestsBenchmark(),
  },
  {
    name: 'start-ready',
    description: 'npm start to ready (no bundle cache, then cached) and Ctrl+C to nothing running',
    run: async () => (await import('./start/bench.ts')).runStartReadyBenchmark(),
  },
  {
    name: 'backfill-throughput',
    description: `backfill ${backfillSettings.messages} messages (attachments up to ${round(backfillSettings.maxAttachmentBytes / MiB, 1)} MiB) through the export against a plain copy of the export archives, rate limits off`,
    run: async () => (await import('./backfill/bench.ts')).runBackfillThroughputBenchmark(),
  },
  {
    name: 'account-scale',
    description:
      'a simulated account day: archive-export + 6-hourly sweeps vs the per-extension path only, one user budget',
    run: async () => (await import('./account-scale/bench.ts')).runAccountScaleBenchmark(),
  },
];
