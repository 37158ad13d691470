import { accountScaleBenchmark } from './account-scale/bench.ts';
import { archiveMemoryBenchmark } from './archive/memory-bench.ts';
import { purgeRequestsBenchmark } from './archive/purge-bench.ts';
import { archiveRequestsBenchmark } from './archive/requests-bench.ts';
import { archiveThroughputBenchmark } from './archive/throughput-bench.ts';
import { archiveSearchBenchmark } from './archive-search/bench.ts';
import { backfillThroughputBenchmark } from './backfill/bench.ts';
import { bundlesBenchmark } from './bundles/bench.ts';
import { rateLimitsBenchmark } from './rate-limits/bench.ts';
import { sendFleetBenchmark } from './send-fleet/bench.ts';
import { sendLatencyBenchmark } from './send-latency/bench.ts';
import { smsBatchBenchmark } from './sms-batch/bench.ts';
import { startReadyBenchmark } from './start/bench.ts';
import { streamingBenchmark } from './streaming/bench.ts';
import type { Benchmark } from './types.ts';

/** Every benchmark `npm run bench` runs, in order. Add a new one here. */
export const BENCHMARKS: readonly Benchmark[] = [
  rateLimitsBenchmark,
  streamingBenchmark,
  sendLatencyBenchmark,
  sendFleetBenchmark,
  smsBatchBenchmark,
  bundlesBenchmark,
  archiveThroughputBenchmark,
  archiveMemoryBenchmark,
  archiveRequestsBenchmark,
  archiveSearchBenchmark,
  purgeRequestsBenchmark,
  startReadyBenchmark,
  backfillThroughputBenchmark,
  accountScaleBenchmark,
];
