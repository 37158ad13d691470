/**
 * `npm run bench -- account-scale [--full] [--faults]`: a simulated account's day through the
 * chosen design (archive-export every 30 min for content, per-extension ISync sweeps every 6 h,
 * webhook changes deferred until the export stored them) and, beside it, the same workload
 * through the per-extension path only (sweeps every 15 min, the webhook's hand-off of each new
 * message). Default 1,000 extensions / 10,000 messages / 1,000 sends; `--full` 5,000 / 50,000 /
 * 5,000. `--faults` adds a run with a worker killed mid-run, 10% 5xx for an hour and a 150-minute
 * 429 storm. What is simulated and what is real: docs/BENCHMARKS.md, account-scale.
 */
import { goal, round } from '../goals.ts';
import type { BenchFigure, BenchGoal, BenchResult } from '../types.ts';
import { GROUPS, MEDIUM_RESERVE } from './ringcentral-model.ts';
import { type Design, type RunFaults, Simulation, type SimulationResult } from './simulation.ts';
import { buildWorkload, type WorkloadSize } from './workload.ts';

const DEFAULT_SIZE: WorkloadSize = {
  extensions: 1000,
  messages: 10_000,
  sends: 1000,
  newExtensions: 4,
};
const FULL_SIZE: WorkloadSize = {
  extensions: 5000,
  messages: 50_000,
  sends: 5000,
  newExtensions: 20,
};

const CHOSEN: Design = {
  name: 'export',
  exportEverySeconds: 1800,
  sweepSeconds: 6 * 3600,
  webhookHandoff: false,
};
const PER_EXTENSION: Design = {
  name: 'per-extension',
  sweepSeconds: 15 * 60,
  webhookHandoff: true,
};

const HOUR = 3600;
const FAULTS: RunFaults = {
  killWorkerAt: 10 * HOUR,
  serverErrors: { from: 11 * HOUR, to: 12 * HOUR, rate: 0.1 },
  storm: { from: 13 * HOUR, to: 15.5 * HOUR },
};

const LIMITS = { Light: 50, Medium: 40, Heavy: 10 } as const;

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** The figures of one run, their names prefixed by the design (and `faults`). */
function figuresOf(result: SimulationResult, label: string): BenchFigure[] {
  const minutes = result.simulatedSeconds / 60;
  const archived = Math.max(1, result.archived);
  const lambda = result.lambda.total();
  const figure = (name: string, value: number, unit: string) => ({
    name: `${label} ${name}`,
    value: round(value),
    unit,
  });
  const archiveRequests = (group: (typeof GROUPS)[number]) =>
    [...result.rc.byPurpose.entries()]
      .filter(([purpose]) => purpose !== 'send')
      .reduce((sum, [, counts]) => sum + counts[group], 0);
  return [
    figure('archived', (100 * result.archived) / result.messages, '%'),
    figure('p99 lag', percentile(result.lagsSeconds, 99) / 60, 'sim min'),
    figure('max lag', percentile(result.lagsSeconds, 100) / 60, 'sim min'),
    figure('429s (ours)', result.rc.rateLimited.ours, ''),
    figure('429s (injected storm)', result.rc.rateLimited.storm, ''),
    ...GROUPS.map((group) =>
      figure(
        `${group} average use`,
        (100 * result.rc.requests[group]) / (LIMITS[group] * minutes),
        '% of budget',
      ),
    ),
    ...GROUPS.map((group) =>
      figure(`${group} per archived message`, archiveRequests(group) / archived, 'requests'),
    ),
    figure(
      'new-extension archive delay (max)',
      percentile(result.newExtensionDelaysSeconds, 100) / 60,
      'sim min',
    ),
    figure(
      'new extensions archived',
      result.newExtensionsArchived,
      `of ${result.newExtensionDelaysSeconds.length}`,
    ),
    figure('send wait p99', percentile(result.sendWaitsSeconds, 99), 'sim s'),
    figure('Lambda invocations per 1,000 archived', (1000 * lambda.invocations) / archived, ''),
    figure('Lambda GB-seconds per 1,000 archived', (1000 * lambda.gbSeconds) / archived, 'GB-s'),
    figure('behind / caught-up events', result.events.length, ''),
  ];
}

function chosenGoals(result: SimulationResult): BenchGoal[] {
  const minutes = result.simulatedSeconds / 60;
  return [
    goal('archived at the end', (100 * result.archived) / result.messages, '==', 100, '%'),
    goal('p99 lag', round(percentile(result.lagsSeconds, 99) / 60), '<=', 60, 'sim min'),
    goal('429s', result.rc.rateLimited.ours, '==', 0, ''),
    ...GROUPS.map((group) =>
      goal(
        `${group} average use`,
        round((100 * result.rc.requests[group]) / (LIMITS[group] * minutes)),
        '<=',
        80,
        '%',
      ),
    ),
    goal(
      'new extensions archived',
      result.newExtensionsArchived,
      '==',
      result.newExtensionDelaysSeconds.length,
      '',
    ),
    goal(
      'new extensions archived within',
      round(percentile(result.newExtensionDelaysSeconds, 100) / 60),
      '<=',
      360,
      'sim min',
    ),
  ];
}

function faultGoals(result: SimulationResult): BenchGoal[] {
  const kinds = result.events.map((event) => event.detailType);
  return [
    goal(
      'faults: archived at the end (no gap)',
      (100 * result.archived) / result.messages,
      '==',
      100,
      '%',
    ),
    goal('faults: 429s outside the injected storm', result.rc.rateLimited.ours, '==', 0, ''),
    goal(
      'faults: Archive Behind events',
      kinds.filter((kind) => kind === 'Archive Behind').length,
      '>=',
      1,
      '',
    ),
    goal(
      'faults: ends caught up (last event Archive Caught Up)',
      Number(kinds.at(-1) === 'Archive Caught Up'),
      '==',
      1,
      '',
    ),
  ];
}

function simulate(size: WorkloadSize, design: Design, faults?: RunFaults): SimulationResult {
  const started = Date.now();
  const result = new Simulation(buildWorkload(size), design, faults).run();
  process.stderr.write(
    `[bench] account-scale ${design.name}${faults ? ' with faults' : ''}: ${((Date.now() - started) / 1000).toFixed(1)} s wall\n`,
  );
  return result;
}

/**
 * Runs the account-scale benchmark; see the module comment.
 * Its name and description: test/bench/benchmarks.ts.
 */
export async function runAccountScaleBenchmark(): Promise<BenchResult> {
  const startedAt = Date.now();
  const full = process.argv.includes('--full');
  const size = full ? FULL_SIZE : DEFAULT_SIZE;
  const chosen = simulate(size, CHOSEN);
  const perExtension = simulate(size, PER_EXTENSION);
  const figures = [
    ...figuresOf(chosen, 'export'),
    ...figuresOf(perExtension, 'per-extension only'),
  ];
  const goals = chosenGoals(chosen);
  const notes = [
    `${size.extensions} extensions (+${size.newExtensions} new), ${size.messages} messages, ${size.sends} sends; Medium reserve ${MEDIUM_RESERVE * 100}% for sends`,
    'simulated: RingCentral, S3 and Lambda on a one-second clock; real: the dispatcher order, completeness and its events (lib/extensions)',
  ];
  if (process.argv.includes('--faults')) {
    const faulted = simulate(size, CHOSEN, FAULTS);
    figures.push(...figuresOf(faulted, 'export with faults'));
    goals.push(...faultGoals(faulted));
    notes.push(
      `faults: ${faulted.events.map((event) => `${event.detailType} at ${round(event.at / 3600)} h (${event.behind} behind)`).join('; ')}`,
    );
  }
  const duration = Date.now() - startedAt;
  return {
    name: 'account-scale',
    figures,
    goals,
    passed: goals.every((entry) => entry.passed),
    durationMs: duration,
    notes,
  };
}
