import { benchResult, goal, round } from '../goals.ts';
import { startChild } from '../support/child-process.ts';
import { startEmulatorProcess } from '../support/emulator-process.ts';
import type { BenchResult } from '../types.ts';
import type { SendLatencyInput, SendLatencyResult } from './worker.ts';

const settings = {
  warmup: Number(process.env.BENCH_SEND_WARMUP ?? 50),
  iterations: Number(process.env.BENCH_SEND_ITERATIONS ?? 400),
  maxMedianRatio: 1.5,
};

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** send-sms latency: the warm handler against a bare ky call to the same endpoint, same run. */
/**
 * The local RingCentral both the bench and split.ts time against. Rate limits not enforced, and
 * advertised as ample: the client paces by the budget the headers state, and RingCentral's real
 * 40 per minute would make this a pacing benchmark. The window is 1 s because the pacer keeps
 * every send of its window (O(sends per window) bookkeeping: nothing at RingCentral's budgets,
 * milliseconds at thousands per minute).
 */
export const SEND_LATENCY_EMULATOR = {
  mailbox: 'default',
  rateLimits: {
    enabled: false,
    groups: { Medium: { limit: 1_000_000, windowSeconds: 1 } },
  } as { enabled: boolean },
} as const;

/** Runs the send-sms-latency benchmark (its name and description: test/bench/benchmarks.ts). */
export async function runSendLatencyBenchmark(): Promise<BenchResult> {
  const startedAt = Date.now();
  const emulator = await startEmulatorProcess({ options: SEND_LATENCY_EMULATOR });
  try {
    const input: SendLatencyInput = {
      server: emulator.url,
      credentials: emulator.credentials,
      from: emulator.facts.ownerSmsNumber,
      to: emulator.facts.otherSmsNumber,
      warmup: settings.warmup,
      iterations: settings.iterations,
    };
    const child = startChild(new URL('./worker.ts', import.meta.url), input, 'send-sms worker');
    let result: SendLatencyResult;
    try {
      result = (await child.next<{ type: string; result: SendLatencyResult }>('result', 300_000))
        .result;
    } finally {
      await child.stop();
    }
    const stats = await emulator.stats();
    const bareMedian = percentile(result.bareKyMs, 0.5);
    const handlerMedian = percentile(result.handlerMs, 0.5);
    const dynamoMedian = percentile(result.handlerDynamoMs, 0.5);
    const ratio = handlerMedian / bareMedian;
    return benchResult('send-sms-latency', startedAt, {
      figures: [
        { name: 'bare ky: median', value: round(bareMedian, 3), unit: 'ms' },
        { name: 'bare ky: p90', value: round(percentile(result.bareKyMs, 0.9), 3), unit: 'ms' },
        { name: 'send-sms handler: median', value: round(handlerMedian, 3), unit: 'ms' },
        {
          name: 'send-sms handler: p90',
          value: round(percentile(result.handlerMs, 0.9), 3),
          unit: 'ms',
        },
        { name: 'handler / bare ky at the median', value: round(ratio, 2), unit: 'x' },
        { name: 'handler on dynalite: median', value: round(dynamoMedian, 3), unit: 'ms' },
        {
          name: 'handler on dynalite: p90',
          value: round(percentile(result.handlerDynamoMs, 0.9), 3),
          unit: 'ms',
        },
        {
          name: 'handler on dynalite / bare ky at the median',
          value: round(dynamoMedian / bareMedian, 2),
          unit: 'x',
        },
        { name: 'handler calls not answered 202', value: result.failures.length, unit: '' },
        {
          name: 'SMS sent (emulator)',
          value: Number((stats.sent as { sms?: number })?.sms ?? 0),
          unit: '',
        },
      ],
      goals: [
        goal(
          'handler median <= 1.5x bare ky median',
          round(ratio, 2),
          '<=',
          settings.maxMedianRatio,
          'x',
        ),
        goal('every handler call answered 202', result.failures.length, '==', 0, ''),
      ],
      notes: [
        `${settings.iterations} timed calls of each after ${settings.warmup} warm-up calls, rotating which goes first`,
        'handler: the deployed send-sms stack (middy, zod, Idempotency-Key, logger, metrics, secrets cache, client, sender ledger and status watch) with its state-table I/O in-process: Powertools idempotency on an in-process cache store, the shared rate budget in memory (same rules), the ledger and watch on an in-memory table',
        'handler on dynalite: the same with all of that in dynalite as deployed (idempotency 2 writes, ledger and watch 2 concurrent writes, a rate-budget claim for several sends); reported, not judged (dynalite runs in the timed process; a local emulator answers in ~2 ms, RingCentral in hundreds)',
      ],
    });
  } finally {
    await emulator.stop();
  }
}
