/**
 * The benchmarks' tunables, most of them overridable from the environment (BENCH_*) for quicker
 * or longer runs. Kept apart from the benchmarks because their descriptions name them: the
 * registry (test/bench/benchmarks.ts) lists them for `npm run bench -- --help` without loading a
 * benchmark.
 */
import { FUNCTION_NODE_OPTIONS } from '../../infra/function-runtime.ts';

const MB = 1_000_000;
const MiB = 2 ** 20;

/**
 * The V8 setting the deployed functions run with (docs/BENCHMARKS.md, streaming): a 1 MiB
 * semi-space makes V8 scavenge every few MiB of download, which frees the socket chunks' buffers
 * while they are young. With V8's defaults they are freed by external-memory-triggered
 * mark-compacts only, 80-100 MiB late. Taken from the functions' NODE_OPTIONS in infra/.
 */
export const DEPLOYED_NODE_OPTIONS = FUNCTION_NODE_OPTIONS.split(' ')
  .filter((option) => option.startsWith('--max-semi-space-size'))
  .join(' ');
/** The streaming benchmark's tunables. */
export const streamingSettings = {
  attachmentBytes: Number(process.env.BENCH_ATTACHMENT_MIB ?? 500) * MiB,
  maxGrowthMiB: 64,
  windowScale: 0.05,
  nodeOptions: process.env.BENCH_STREAMING_NODE_OPTIONS ?? DEPLOYED_NODE_OPTIONS,
};

/** The rate-limits benchmark's tunables. */
export const rateLimitsSettings = {
  requests: Number(process.env.BENCH_RATE_REQUESTS ?? 2000),
  // 0.03 turns RingCentral's 60 s windows into 1.8 s: 2,000 requests take about 40 s per scenario.
  windowScale: Number(process.env.BENCH_WINDOW_SCALE ?? 0.03),
  concurrencyPerGroup: Number(process.env.BENCH_CONCURRENCY ?? 4),
  naiveCapMs: Number(process.env.BENCH_NAIVE_CAP_MS ?? 40_000),
};

/** The send-fleet benchmark's tunables. */
export const sendFleetSettings = {
  senders: Number(process.env.BENCH_FLEET_SENDERS ?? 20),
  // 1: each send container is a process of its own; more fold several into one process.
  containersPerProcess: Number(process.env.BENCH_FLEET_CONTAINERS_PER_PROCESS ?? 1),
  // 0.25 turns RingCentral's 60 s windows (and penalty) into 15 s.
  windowScale: Number(process.env.BENCH_FLEET_WINDOW_SCALE ?? 0.25),
  windows: Number(process.env.BENCH_FLEET_WINDOWS ?? 5),
  concurrency: Number(process.env.BENCH_FLEET_CONCURRENCY ?? 2),
  deadlineMs: Number(process.env.BENCH_FLEET_DEADLINE_MS ?? 10_000),
  holdMs: Number(process.env.BENCH_FLEET_HOLD_MS ?? 800),
  latencySends: Number(process.env.BENCH_FLEET_LATENCY_SENDS ?? 30),
};

/** The sms-batch benchmark's batch size. */
export const SMS_BATCH_RECIPIENTS = Number(process.env.BENCH_SMS_BATCH_RECIPIENTS ?? 10_000);

/** The archive-throughput benchmark's tunables. */
export const archiveThroughputSettings = {
  messages: Number(process.env.BENCH_ARCHIVE_MESSAGES ?? 400),
  maxAttachmentBytes: Number(process.env.BENCH_ARCHIVE_MAX_ATTACHMENT_BYTES ?? 2 * MiB),
  concurrency: Number(process.env.BENCH_ARCHIVE_CONCURRENCY ?? 4),
  rounds: Number(process.env.BENCH_ARCHIVE_ROUNDS ?? 3),
  /** A directory for V8 CPU profiles of every child (archiver and copies); none when unset. */
  cpuProfileDirectory: process.env.BENCH_ARCHIVE_CPU_PROF_DIR,
  spanDays: 30,
};

/** The archive-memory benchmark's tunables. */
export const archiveMemorySettings = {
  largeBytes: Number(process.env.BENCH_ARCHIVE_LARGE_MB ?? 300) * MB,
  messages: 40,
  peakGoalMiB: 128,
};

/** The archive-requests benchmark's tunables. */
export const archiveRequestsSettings = {
  messages: Number(process.env.BENCH_ARCHIVE_REQUEST_MESSAGES ?? 1000),
  metadataGoal: 0.05,
};

/** The purge-requests benchmark's tunables. */
export const purgeRequestsSettings = {
  messages: Number(process.env.BENCH_PURGE_MESSAGES ?? 1000),
  spanDays: 60,
};

/** The backfill-throughput benchmark's tunables. */
export const backfillSettings = {
  messages: Number(process.env.BENCH_BACKFILL_MESSAGES ?? 100),
  maxAttachmentBytes: Number(process.env.BENCH_BACKFILL_MAX_ATTACHMENT_BYTES ?? 4 * MiB),
  rounds: Number(process.env.BENCH_BACKFILL_ROUNDS ?? 2),
  spanDays: 30,
};
