/**
 * `npm start` ready time: from spawning `npm start` (as a user types it) to the "ready" line,
 * first with no bundle cache (the first start after `npm install`: esbuild builds every
 * function) and then with the cache, plus the time Ctrl+C takes to stop everything.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupAlive, READY, startStackProcess } from '../../integration/local/stack-process.ts';
import { benchResult, goal, median, round } from '../goals.ts';
import type { BenchResult } from '../types.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MANIFEST = join(PROJECT_ROOT, '.local', 'bundles', 'manifest.json');

const settings = {
  coldRuns: Number(process.env.BENCH_START_COLD_RUNS ?? 3),
  cachedRuns: Number(process.env.BENCH_START_CACHED_RUNS ?? 5),
  /** The goal: ready within 5 s of `npm start` after install. */
  readyGoalMs: 5_000,
};

/** One start: ms to the ready line, and ms from SIGINT until every process of it exited. */
async function startOnce(dataDir: string): Promise<{ readyMs: number; stopMs: number }> {
  const started = performance.now();
  const stack = startStackProcess(dataDir, {});
  // Timed on the output event itself, not by polling `stack.output()`.
  const readyMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not ready in 60 s:\n${stack.output()}`)),
      60_000,
    );
    const onData = () => {
      if (stack.output().includes(READY)) {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    };
    stack.child.stdout?.on('data', onData);
    stack.child.stderr?.on('data', onData);
    void stack.exited.then(() =>
      reject(new Error(`npm start exited before ready:\n${stack.output()}`)),
    );
  });
  const stopping = performance.now();
  const pid = stack.child.pid as number;
  process.kill(-pid, 'SIGINT');
  while (groupAlive(pid)) {
    if (performance.now() - stopping > 15_000) {
      stack.kill();
      throw new Error('npm start did not stop within 15 s of SIGINT');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { readyMs, stopMs: performance.now() - stopping };
}

/** Runs the start-ready benchmark (its name and description: test/bench/benchmarks.ts). */
export async function runStartReadyBenchmark(): Promise<BenchResult> {
  const startedAt = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-start-'));
  try {
    const cold: number[] = [];
    const cached: number[] = [];
    const stops: number[] = [];
    for (let index = 0; index < settings.coldRuns; index += 1) {
      // Without the manifest every input counts as changed: esbuild builds all functions.
      await rm(MANIFEST, { force: true });
      const run = await startOnce(dataDir);
      cold.push(run.readyMs);
      stops.push(run.stopMs);
    }
    for (let index = 0; index < settings.cachedRuns; index += 1) {
      const run = await startOnce(dataDir);
      cached.push(run.readyMs);
      stops.push(run.stopMs);
    }
    const coldMedian = median(cold);
    const cachedMedian = median(cached);
    return benchResult('start-ready', startedAt, {
      figures: [
        { name: 'ready, no bundle cache (median)', value: round(coldMedian / 1000), unit: 's' },
        {
          name: 'ready, no bundle cache (max)',
          value: round(Math.max(...cold) / 1000),
          unit: 's',
        },
        { name: 'ready, cached bundles (median)', value: round(cachedMedian / 1000), unit: 's' },
        {
          name: 'Ctrl+C to nothing running (max)',
          value: round(Math.max(...stops) / 1000),
          unit: 's',
        },
      ],
      goals: [
        goal(
          'first npm start after install ready in under 5 s (median, no bundle cache)',
          round(coldMedian / 1000),
          '<',
          settings.readyGoalMs / 1000,
          's',
        ),
      ],
      notes: [
        `${settings.coldRuns} starts without and ${settings.cachedRuns} with the bundle cache; ` +
          'ready includes npm and tsx start-up, every server, the bundles and the forced ' +
          'token-refresh (a cold start of its process) that makes the first send work',
      ],
    });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
