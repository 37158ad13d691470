import { loadavg } from 'node:os';
import { createOAuthClient } from '../../../lib/ringcentral/index.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { benchResult, goal, round } from '../goals.ts';
import { sendFleetSettings as settings } from '../settings.ts';
import { startChild } from '../support/child-process.ts';
import { type EmulatorProcess, startEmulatorProcess } from '../support/emulator-process.ts';
import type { BenchFigure, BenchGoal, BenchResult } from '../types.ts';
import type { FleetRecord, FleetWorkerInput, FleetWorkerResult } from './worker.ts';

const MEDIUM_LIMIT = 40;
const windowMs = () => Math.round(60_000 * settings.windowScale);

interface Services {
  emulator: EmulatorProcess;
  dynamo: LocalDynamo;
  tableName: string;
  accessToken: string;
}

async function startServices(): Promise<Services> {
  const [emulator, dynamo] = await Promise.all([
    startEmulatorProcess({
      options: { mailbox: 'default', rateLimits: { windowScale: settings.windowScale } },
    }),
    startDynalite(),
  ]);
  const tableName = await dynamo.createStateTable();
  // One login for the whole fleet, as token-refresh provides one session to every function.
  const oauth = createOAuthClient({
    server: emulator.url,
    clientId: emulator.credentials.clientId,
    clientSecret: emulator.credentials.clientSecret,
  });
  const { accessToken } = await oauth.jwtGrant(emulator.credentials.jwt);
  return { emulator, dynamo, tableName, accessToken };
}

/** Starts one child per role, waits until every one is ready, then starts them together. */
async function runChildren(
  services: Services,
  processes: Array<{ role: FleetWorkerInput['role']; containers: number }>,
  shared: boolean,
  runMs: number,
): Promise<{ results: FleetWorkerResult[]; startAt: number; stopAt: number }> {
  const { emulator, dynamo, tableName, accessToken } = services;
  const children = processes.map(({ role, containers }, index) => {
    const input: FleetWorkerInput = {
      role,
      containers,
      server: emulator.url,
      mediaServer: emulator.mediaUrl,
      credentials: emulator.credentials,
      accessToken,
      facts: emulator.facts,
      windowScale: settings.windowScale,
      concurrency: settings.concurrency,
      deadlineMs: settings.deadlineMs,
      sends: settings.latencySends,
      ...(shared
        ? { shared: { endpoint: dynamo.endpoint, tableName, holdMs: settings.holdMs } }
        : {}),
    };
    return startChild(new URL('./worker.ts', import.meta.url), input, `${role} ${index + 1}`);
  });
  // Many processes take a while to start on a small machine: everyone begins together.
  await Promise.all(children.map((child) => child.next('ready', 600_000)));
  const startAt = Date.now() + 1_000;
  const stopAt = startAt + runMs;
  for (const child of children) child.send({ type: 'go', startAt, stopAt });
  const results = await Promise.all(
    children.map(
      async (child) =>
        (await child.next<{ type: string; result: FleetWorkerResult }>('result', 600_000)).result,
    ),
  );
  return { results, startAt, stopAt };
}

interface FleetOutcome {
  label: string;
  records: FleetRecord[];
  serverTooManyRequests: number;
  clientTooManyRequests: number;
  mediumPerWindow: number[];
  claimMs: number[];
  storeCalls: number;
  storeRequests: number;
  storeRequestsByKind: Record<string, number>;
  /** CPU ms per process over the run: each send process, the archive worker, this process (dynalite). */
  cpuMs: { senders: number[]; archive: number; dynalite: number };
  runMs: number;
  loadAverage: { before: number; after: number };
}

function sumByKind(counts: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const total: Record<string, number> = {};
  for (const byKind of counts) {
    for (const [kind, value] of Object.entries(byKind)) total[kind] = (total[kind] ?? 0) + value;
  }
  return total;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function runFleet(label: string, shared: boolean): Promise<FleetOutcome> {
  const services = await startServices();
  const loadBefore = loadavg()[0] ?? 0;
  const ownCpu = process.cpuUsage();
  try {
    const perProcess = Math.max(1, settings.containersPerProcess);
    const processes = [
      ...Array.from({ length: Math.ceil(settings.senders / perProcess) }, (_, index) => ({
        role: 'send' as const,
        containers: Math.min(perProcess, settings.senders - index * perProcess),
      })),
      { role: 'archive' as const, containers: 1 },
    ];
    const { results, startAt, stopAt } = await runChildren(
      services,
      processes,
      shared,
      settings.windows * windowMs(),
    );
    const stats = await services.emulator.stats();
    const records = results.flatMap((result) => result.records);
    return {
      label,
      records,
      serverTooManyRequests: Object.values(stats.tooManyRequestsByGroup).reduce((a, b) => a + b, 0),
      clientTooManyRequests: results.reduce((sum, result) => sum + result.tooManyRequestsSeen, 0),
      mediumPerWindow: perWindow(records, startAt, stopAt),
      claimMs: results.flatMap((result) => result.claimMs),
      storeCalls: results.reduce((sum, result) => sum + result.storeCalls, 0),
      storeRequests: results.reduce((sum, result) => sum + result.storeRequests, 0),
      storeRequestsByKind: sumByKind(results.map((result) => result.storeRequestsByKind)),
      cpuMs: {
        senders: results.slice(0, -1).map((result) => result.cpuMs),
        archive: results.at(-1)?.cpuMs ?? 0,
        dynalite: cpuMsSince(ownCpu),
      },
      runMs: stopAt - startAt,
      loadAverage: { before: loadBefore, after: loadavg()[0] ?? 0 },
    };
  } finally {
    await Promise.all([services.emulator.stop(), services.dynamo.stop()]);
  }
}

/** Medium requests answered per window of the run, the first (opening burst) left out. */
function perWindow(records: readonly FleetRecord[], startAt: number, stopAt: number): number[] {
  const windows = Math.floor((stopAt - startAt) / windowMs());
  const counts = new Array<number>(windows).fill(0);
  for (const record of records) {
    if (record.outcome !== 'sent') continue;
    const index = Math.floor((record.endedAt - startAt) / windowMs());
    if (index >= 0 && index < windows) counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts.slice(1);
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

/** Requests that ended neither sent nor refused with Retry-After, or after their deadline. */
function unanswered(records: readonly FleetRecord[]): number {
  return records.filter(
    (record) =>
      (record.outcome !== 'sent' && record.outcome !== 'refused') ||
      record.endedAt > record.deadline,
  ).length;
}

function usagePercent(outcome: FleetOutcome): number {
  const counts = outcome.mediumPerWindow;
  if (counts.length === 0) return 0;
  return (counts.reduce((a, b) => a + b, 0) / counts.length / MEDIUM_LIMIT) * 100;
}

function figuresOf(outcome: FleetOutcome): BenchFigure[] {
  const count = (what: FleetRecord['outcome'], role?: FleetRecord['role']) =>
    outcome.records.filter((record) => record.outcome === what && (!role || record.role === role))
      .length;
  const sentMs = outcome.records
    .filter((record) => record.outcome === 'sent' && record.role === 'send')
    .map((record) => record.endedAt - record.startedAt);
  const figures: BenchFigure[] = [
    {
      name: `${outcome.label}: 429s sent by the server`,
      value: outcome.serverTooManyRequests,
      unit: '',
    },
    {
      name: `${outcome.label}: 429s seen by the clients`,
      value: outcome.clientTooManyRequests,
      unit: '',
    },
    { name: `${outcome.label}: SMS sent`, value: count('sent', 'send'), unit: '' },
    { name: `${outcome.label}: attachments downloaded`, value: count('sent', 'archive'), unit: '' },
    { name: `${outcome.label}: refused with Retry-After (503)`, value: count('refused'), unit: '' },
    { name: `${outcome.label}: 429 passed through`, value: count('rate-limited'), unit: '' },
    { name: `${outcome.label}: other failures`, value: count('failed'), unit: '' },
    {
      name: `${outcome.label}: unanswered inside the deadline`,
      value: unanswered(outcome.records),
      unit: '',
    },
    {
      name: `${outcome.label}: Medium used (per window ${outcome.mediumPerWindow.join('/')} of ${MEDIUM_LIMIT})`,
      value: round(usagePercent(outcome), 1),
      unit: '% of limit',
    },
    {
      name: `${outcome.label}: SMS send p50 (queueing included)`,
      value: round(percentile(sentMs, 50), 0),
      unit: 'ms',
    },
    {
      name: `${outcome.label}: SMS send p99 (queueing included)`,
      value: round(percentile(sentMs, 99), 0),
      unit: 'ms',
    },
  ];
  if (outcome.claimMs.length > 0) {
    const requests = outcome.records.filter((record) => record.outcome === 'sent').length;
    figures.push(
      {
        name: `${outcome.label}: claim p50 (store round trips)`,
        value: round(percentile(outcome.claimMs, 50), 1),
        unit: 'ms',
      },
      {
        name: `${outcome.label}: claim p90 (store round trips)`,
        value: round(percentile(outcome.claimMs, 90), 1),
        unit: 'ms',
      },
      {
        name: `${outcome.label}: claim p99 (store round trips)`,
        value: round(percentile(outcome.claimMs, 99), 1),
        unit: 'ms',
      },
      {
        name: `${outcome.label}: budget calls per request sent`,
        value: round(outcome.storeCalls / Math.max(1, requests), 2),
        unit: '',
      },
      {
        name: `${outcome.label}: DynamoDB requests per request sent`,
        value: round(outcome.storeRequests / Math.max(1, requests), 2),
        unit: '',
      },
      ...Object.entries(outcome.storeRequestsByKind).map(([kind, value]) => ({
        name: `${outcome.label}: DynamoDB ${kind} requests per request sent`,
        value: round(value / Math.max(1, requests), 2),
        unit: '',
      })),
    );
  }
  const perSecond = (ms: number) => round((ms / Math.max(1, outcome.runMs)) * 100, 1);
  const senders = outcome.cpuMs.senders;
  figures.push(
    {
      name: `${outcome.label}: CPU per send process, mean (max ${perSecond(Math.max(0, ...senders))})`,
      value: perSecond(senders.reduce((a, b) => a + b, 0) / Math.max(1, senders.length)),
      unit: '% of a core',
    },
    {
      name: `${outcome.label}: CPU of the archive worker`,
      value: perSecond(outcome.cpuMs.archive),
      unit: '% of a core',
    },
    {
      name: `${outcome.label}: CPU of the bench process (dynalite)`,
      value: perSecond(outcome.cpuMs.dynalite),
      unit: '% of a core',
    },
    {
      name: `${outcome.label}: load average (1 min) before / after ${round(outcome.loadAverage.before, 1)}`,
      value: round(outcome.loadAverage.after, 1),
      unit: '',
    },
  );
  return figures;
}

/** One process, one send at a time below the limit, alternating with and without the shared budget. */
async function measureAddedLatency(): Promise<BenchFigure[]> {
  const services = await startServices();
  try {
    const { results } = await runChildren(services, [{ role: 'latency', containers: 1 }], true, 0);
    const records = results[0]?.records ?? [];
    // The first request of each client pays connection set-up: left out.
    const of = (shared: boolean) =>
      records
        .filter((record) => record.shared === shared && record.outcome === 'sent')
        .slice(1)
        .map((record) => record.endedAt - record.startedAt);
    const [withBudget, without] = [of(true), of(false)];
    return [50, 99].flatMap((p) => [
      {
        name: `one send below the limit, p${p} with the shared budget`,
        value: round(percentile(withBudget, p), 1),
        unit: 'ms',
      },
      {
        name: `one send below the limit, p${p} local pacer only`,
        value: round(percentile(without, p), 1),
        unit: 'ms',
      },
      {
        name: `latency the shared budget adds, p${p}`,
        value: round(percentile(withBudget, p) - percentile(without, p), 1),
        unit: 'ms',
      },
    ]);
  } finally {
    await Promise.all([services.emulator.stop(), services.dynamo.stop()]);
  }
}

/**
 * The send fleet: 20 containers and an archive worker as one user, with and without the shared budget.
 * Its name and description: test/bench/benchmarks.ts.
 */
export async function runSendFleetBenchmark(): Promise<BenchResult> {
  const startedAt = Date.now();
  const wanted = (process.env.BENCH_FLEET_SCENARIOS ?? 'shared,local,latency').split(',');
  const figures: BenchFigure[] = [];
  const goals: BenchGoal[] = [];
  const errors: string[] = [];
  const noteErrors = (outcome: FleetOutcome) => {
    const seen = new Set(
      outcome.records
        .filter((record) => record.outcome !== 'sent' && record.outcome !== 'refused')
        .map((record) => record.error ?? record.outcome),
    );
    for (const error of [...seen].slice(0, 3)) errors.push(`${outcome.label}: ${error}`);
  };
  if (wanted.includes('shared')) {
    const outcome = await runFleet('shared budget', true);
    noteErrors(outcome);
    figures.push(...figuresOf(outcome));
    goals.push(
      goal('shared budget: zero 429s (server count)', outcome.serverTooManyRequests, '==', 0, ''),
      goal(
        'shared budget: Medium used >= 90% of limit',
        round(usagePercent(outcome), 1),
        '>=',
        90,
        '%',
      ),
      goal(
        'shared budget: every request sent or refused with Retry-After inside its deadline',
        unanswered(outcome.records),
        '==',
        0,
        'requests',
      ),
    );
  }
  if (wanted.includes('local'))
    figures.push(...figuresOf(await runFleet('local pacers only', false)));
  if (wanted.includes('latency')) figures.push(...(await measureAddedLatency()));
  return benchResult('send-fleet', startedAt, {
    figures,
    goals,
    notes: [
      `window ${round(windowMs() / 1000, 1)} s (RingCentral 60 s x ${settings.windowScale}), Medium 40 per window, penalty one window; ${settings.windows} windows per run, the first left out of the usage`,
      ...errors,
      `${settings.senders} send containers (${settings.containersPerProcess} per process) x ${settings.concurrency} requests in flight, each with a ${settings.deadlineMs} ms deadline; a refused request's caller waits its Retry-After; hold ${settings.holdMs} ms per slot`,
    ],
  });
}
