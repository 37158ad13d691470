/**
 * `npm start` ready time: from spawning `npm start` (as a user types it) to the "ready" line,
 * first with no bundle cache (the first start after `npm install`: esbuild builds every
 * function) and then with the cache, plus the time Ctrl+C takes to stop everything.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchResult, goal, median, round } from '../goals.ts';
import type { Benchmark, BenchResult } from '../types.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MANIFEST = join(PROJECT_ROOT, '.local', 'bundles', 'manifest.json');
const READY = 'Local stack ready';

const settings = {
  coldRuns: Number(process.env.BENCH_START_COLD_RUNS ?? 3),
  cachedRuns: Number(process.env.BENCH_START_CACHED_RUNS ?? 5),
  /** The goal: ready within 5 s of `npm start` after install. */
  readyGoalMs: 5_000,
};

/** One start: ms to the ready line, and ms from SIGINT until every process of it exited. */
async function startOnce(dataDir: string): Promise<{ readyMs: number; stopMs: number }> {
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: PROJECT_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      LOCAL_DATA_DIR: dataDir,
      LOCAL_API_PORT: '0',
    },
  });
  let output = '';
  const readyMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes(READY)) {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', () => reject(new Error(`npm start exited before ready:\n${output}`)));
  });
  const stopping = performance.now();
  const pid = child.pid as number;
  process.kill(-pid, 'SIGINT');
  for (;;) {
    try {
      process.kill(-pid, 0);
    } catch {
      break;
    }
    if (performance.now() - stopping > 15_000) {
      process.kill(-pid, 'SIGKILL');
      throw new Error('npm start did not stop within 15 s of SIGINT');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { readyMs, stopMs: performance.now() - stopping };
}

/** The `npm start` benchmark. */
export const startReadyBenchmark: Benchmark = {
  name: 'start-ready',
  description: 'npm start to ready (no bundle cache, then cached) and Ctrl+C to nothing running',
  async run(): Promise<BenchResult> {
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
      return benchResult(this.name, startedAt, {
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
  },
};
