/**
 * archive-search: the local search over generated archives of 10,000 and 100,000 messages on
 * s3rver (written straight into its directory), searching one extension for a party over two
 * weeks. Memory must stay flat as the archive grows tenfold (the search holds one listing page
 * and a window of message.json texts); time is s3rver's, a GET or so per candidate message.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partyDigits } from '../../../lib/search/criteria.ts';
import {
  FREQUENT_PARTY,
  s3rverDirectory,
  writeGeneratedArchive,
} from '../../support/generated-archive.ts';
import { startS3rver } from '../../support/s3rver.ts';
import { benchResult, goal } from '../goals.ts';
import { startChild } from '../support/child-process.ts';
import type { BenchFigure, BenchResult } from '../types.ts';
import type { SearchChildInput, SearchChildResult } from './search-child.ts';

const SIZES = [10_000, 100_000] as const;
const BUCKET = 'bench-archive';
const MiB = 1024 * 1024;

async function measure(size: number): Promise<SearchChildResult & { generateMs: number }> {
  const parent = await mkdtemp(join(tmpdir(), 'bench-search-'));
  const s3 = await startS3rver({ parentDirectory: parent });
  try {
    await s3.createBucket(BUCKET);
    const generating = performance.now();
    await writeGeneratedArchive(join(await s3rverDirectory(parent), BUCKET), size);
    const generateMs = performance.now() - generating;
    const input: SearchChildInput = {
      endpoint: s3.endpoint,
      bucket: BUCKET,
      criteria: {
        party: partyDigits(FREQUENT_PARTY),
        from: '2026-03-01T00:00:00.000Z',
        to: '2026-03-15T00:00:00.000Z',
        extensionIds: ['5001'],
      },
    };
    const child = startChild(new URL('./search-child.ts', import.meta.url), input, 'search child');
    const { result } = await child.next<{ type: 'result'; result: SearchChildResult }>(
      'result',
      1_800_000,
    );
    await child.exited();
    return { ...result, generateMs };
  } finally {
    await s3.stop();
    await rm(parent, { recursive: true, force: true });
  }
}

/** Runs the archive-search benchmark (its name and description: test/bench/benchmarks.ts). */
export async function runArchiveSearchBenchmark(): Promise<BenchResult> {
  const startedAt = Date.now();
  const figures: BenchFigure[] = [];
  const runs: Array<SearchChildResult & { size: number }> = [];
  for (const size of SIZES) {
    const run = await measure(size);
    runs.push({ ...run, size });
    const label = `${size / 1000}k`;
    figures.push(
      { name: `${label}: generate`, value: Math.round(run.generateMs), unit: 'ms' },
      { name: `${label}: search`, value: Math.round(run.ms), unit: 'ms' },
      { name: `${label}: message.json read`, value: run.read, unit: 'objects' },
      { name: `${label}: matched`, value: run.matched, unit: 'messages' },
      {
        name: `${label}: peak RSS`,
        value: Math.round(run.peakRssBytes / MiB),
        unit: 'MiB',
      },
      { name: `${label}: peak heap`, value: Math.round(run.peakHeapBytes / MiB), unit: 'MiB' },
    );
  }
  const small = runs[0] as SearchChildResult;
  const large = runs[1] as SearchChildResult;
  return benchResult('archive-search', startedAt, {
    figures,
    goals: [
      goal(
        'search peak heap at 100k <= 1.5 x at 10k (memory flat)',
        Number((large.peakHeapBytes / small.peakHeapBytes).toFixed(2)),
        '<=',
        1.5,
        'x',
      ),
      goal(
        'search reads ~10x more message.json at 100k',
        Number((large.read / Math.max(1, small.read)).toFixed(1)),
        '>=',
        8,
        'x',
      ),
    ],
    notes: [
      'criteria: --party +1 (650) 555-0100 --extension 5001 --from 2026-03-01 --to 2026-03-14 over 6 months of 3 extensions',
    ],
  });
}
