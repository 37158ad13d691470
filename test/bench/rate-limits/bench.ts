import { benchResult, goal, round } from '../goals.ts';
import { rateLimitsSettings as settings } from '../settings.ts';
import { startChild } from '../support/child-process.ts';
import { type EmulatorProcess, startEmulatorProcess } from '../support/emulator-process.ts';
import type { BenchFigure, BenchGoal, BenchResult } from '../types.ts';
import { type GroupThroughput, measureThroughput } from './throughput.ts';
import type { WorkerInput, WorkerResult } from './worker.ts';
import { GROUP_LIMITS, type RequestRecord, type WorkloadGroup } from './workload.ts';

const GROUPS: readonly WorkloadGroup[] = ['Light', 'Medium', 'Heavy'];

/** A paced run that is far slower than the limits allow (penalties) is cut off and reported. */
function pacedCapMs(): number {
  return Math.round((settings.requests / 100) * 60_000 * settings.windowScale * 2.5);
}

interface ScenarioOutcome {
  label: string;
  records: RequestRecord[];
  throughput: Record<WorkloadGroup, GroupThroughput>;
  serverTooManyRequests: number;
  serverRequests: number;
  clientTooManyRequests: number[];
  failed: number;
  unfinished: number;
  durationMs: number;
  firstErrors: string[];
}

async function runScenario(
  label: string,
  client: WorkerInput['client'],
  workers: number,
  stopAfterMs?: number,
): Promise<ScenarioOutcome> {
  const emulator: EmulatorProcess = await startEmulatorProcess({
    options: { mailbox: 'default', rateLimits: { windowScale: settings.windowScale } },
  });
  try {
    // Setup (login, export task) happens before startAt so every worker starts its load together.
    const startAt = Date.now() + 4_000;
    const children = Array.from({ length: workers }, (_, index) => {
      const input: WorkerInput = {
        client,
        server: emulator.url,
        mediaServer: emulator.mediaUrl,
        credentials: emulator.credentials,
        facts: emulator.facts,
        total:
          Math.floor(settings.requests / workers) + (index < settings.requests % workers ? 1 : 0),
        concurrencyPerGroup: settings.concurrencyPerGroup,
        windowScale: settings.windowScale,
        startAt,
        ...(stopAfterMs === undefined ? {} : { stopAt: startAt + stopAfterMs }),
      };
      return startChild(
        new URL('./worker.ts', import.meta.url),
        input,
        `${label} worker ${index + 1}`,
      );
    });
    const results = await Promise.all(
      children.map(
        async (child) =>
          (await child.next<{ type: string; result: WorkerResult }>('result')).result,
      ),
    );
    const durationMs = Date.now() - startAt;
    const stats = await emulator.stats();
    process.stderr.write(
      `[bench] ${label}: 429s by group ${JSON.stringify(stats.tooManyRequestsByGroup)}\n`,
    );
    const records = results.flatMap((result) => result.records);
    const windowMs = 60_000 * settings.windowScale;
    const throughput = {} as Record<WorkloadGroup, GroupThroughput>;
    for (const group of GROUPS) {
      throughput[group] = measureThroughput(records, group, GROUP_LIMITS[group], windowMs);
    }
    const failures = records.filter((record) => !record.ok);
    return {
      label,
      records,
      throughput,
      serverTooManyRequests: Object.values(stats.tooManyRequestsByGroup).reduce(
        (sum, count) => sum + count,
        0,
      ),
      serverRequests: stats.requests,
      clientTooManyRequests: results.map((result) => result.tooManyRequestsSeen),
      failed: failures.length,
      unfinished: results.reduce((sum, result) => sum + result.unfinished, 0),
      durationMs,
      firstErrors: [...new Set(failures.map((record) => record.error ?? 'unknown'))].slice(0, 3),
    };
  } finally {
    await emulator.stop();
  }
}

function figuresOf(outcome: ScenarioOutcome): BenchFigure[] {
  const figures: BenchFigure[] = [];
  for (const group of GROUPS) {
    const measured = outcome.throughput[group];
    figures.push({
      name: `${outcome.label}: ${group} sustained (mean ${round(measured.meanPerWindow, 1)}/${measured.limit} per window over ${measured.perWindow.length} windows)`,
      value: round(measured.percentOfLimit, 1),
      unit: '% of limit',
    });
  }
  figures.push(
    {
      name: `${outcome.label}: requests completed`,
      value: outcome.records.length - outcome.failed,
      unit: '',
    },
    { name: `${outcome.label}: requests failed`, value: outcome.failed, unit: '' },
    {
      name: `${outcome.label}: requests not started (time cap)`,
      value: outcome.unfinished,
      unit: '',
    },
    {
      name: `${outcome.label}: 429s sent by the server`,
      value: outcome.serverTooManyRequests,
      unit: '',
    },
    {
      name: `${outcome.label}: 429s seen by the client(s)`,
      value: outcome.clientTooManyRequests.reduce((a, b) => a + b, 0),
      unit: '',
    },
    {
      name: `${outcome.label}: requests reaching the server`,
      value: outcome.serverRequests,
      unit: '',
    },
    { name: `${outcome.label}: wall time`, value: round(outcome.durationMs / 1000, 1), unit: 's' },
  );
  return figures;
}

function goalsOf(outcome: ScenarioOutcome, minimumPercent: number): BenchGoal[] {
  return [
    goal(`${outcome.label}: zero 429s (server count)`, outcome.serverTooManyRequests, '==', 0, ''),
    goal(`${outcome.label}: every request succeeded`, outcome.failed, '==', 0, 'failures'),
    ...GROUPS.map((group) =>
      goal(
        `${outcome.label}: ${group} >= ${minimumPercent}% of limit`,
        round(outcome.throughput[group].percentOfLimit, 1),
        '>=',
        minimumPercent,
        '%',
      ),
    ),
  ];
}

/**
 * Rate limits: one client, two clients sharing a budget, and a naive client for comparison.
 * Its name and description: test/bench/benchmarks.ts.
 */
export async function runRateLimitsBenchmark(): Promise<BenchResult> {
  const startedAt = Date.now();
  // BENCH_RATE_SCENARIOS=one,two,naive picks scenarios (all by default).
  const wanted = (process.env.BENCH_RATE_SCENARIOS ?? 'one,two,naive').split(',');
  const outcomes: ScenarioOutcome[] = [];
  const goals: BenchGoal[] = [];
  const crashes: string[] = [];
  const scenario = async (
    label: string,
    client: WorkerInput['client'],
    workers: number,
    capMs: number,
    minimumPercent?: number,
  ) => {
    try {
      const outcome = await runScenario(label, client, workers, capMs);
      outcomes.push(outcome);
      if (minimumPercent !== undefined) goals.push(...goalsOf(outcome, minimumPercent));
    } catch (error) {
      // One scenario failing must not hide the figures of the others.
      crashes.push(`${label} crashed: ${error instanceof Error ? error.message : String(error)}`);
      goals.push(goal(`${label}: scenario completed`, 0, '==', 1, '(1 = yes)'));
    }
  };
  if (wanted.includes('one')) await scenario('one client', 'paced', 1, pacedCapMs(), 95);
  if (wanted.includes('two')) await scenario('two clients', 'paced', 2, pacedCapMs(), 90);
  if (wanted.includes('naive')) await scenario('naive client', 'naive', 1, settings.naiveCapMs);
  const notes = [
    `window ${round(60 * settings.windowScale, 2)} s per group (RingCentral 60 s x ${settings.windowScale}); limits Light 50, Medium 40, Heavy 10`,
    `naive client: plain ky retrying only on 429 after Retry-After, capped at ${settings.naiveCapMs / 1000} s`,
  ];
  notes.push(...crashes);
  for (const outcome of outcomes) {
    for (const error of outcome.firstErrors) notes.push(`${outcome.label} error: ${error}`);
  }
  return benchResult('rate-limits', startedAt, {
    figures: outcomes.flatMap(figuresOf),
    goals,
    notes,
  });
}
