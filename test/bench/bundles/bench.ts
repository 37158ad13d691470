import { BUNDLE_AWS_SDK } from '../../../infra/function-bundles.ts';
import { FUNCTION_NAMES } from '../../../infra/message-automation-stack.ts';
import { benchResult, goal, round } from '../goals.ts';
import type { BenchFigure, BenchGoal, BenchResult } from '../types.ts';
import { buildAll, HELLO_WORLD, type SdkMode } from './build.ts';
import { medianImportMs } from './cold-import.ts';

const settings = {
  runs: Number(process.env.BENCH_IMPORT_RUNS ?? 7),
  maxSendBytes: 300 * 1024,
  maxSendImportRatio: 1.5,
};

const SEND_FUNCTIONS = new Set(['send-sms', 'send-pager', 'send-fax']);

/**
 * Bundle size and cold import time of every function, SDK bundled and SDK external, each as a
 * ratio to a hello-world bundle creating one S3 client in the same mode. Goals apply to the mode
 * the stack deploys (BUNDLE_AWS_SDK) and to the HTTP send functions.
 */
/** Runs the bundles benchmark (its name and description: test/bench/benchmarks.ts). */
export async function runBundlesBenchmark(): Promise<BenchResult> {
  const startedAt = Date.now();
  const built = await buildAll(FUNCTION_NAMES);
  const deployed: SdkMode = BUNDLE_AWS_SDK ? 'bundled' : 'external';
  const figures: BenchFigure[] = [];
  const goals: BenchGoal[] = [];
  for (const mode of ['bundled', 'external'] as const) {
    const hello = built.find((bundle) => bundle.mode === mode && bundle.name === HELLO_WORLD);
    if (!hello) throw new Error(`hello-world bundle missing (${mode})`);
    const helloMs = await medianImportMs(hello.file, settings.runs);
    figures.push(
      {
        name: `${mode} SDK: ${HELLO_WORLD} size`,
        value: round(hello.bytes / 1024, 1),
        unit: 'KiB',
      },
      { name: `${mode} SDK: ${HELLO_WORLD} cold import`, value: round(helloMs, 1), unit: 'ms' },
    );
    for (const bundle of built.filter((entry) => entry.mode === mode && entry !== hello)) {
      const ms = await medianImportMs(bundle.file, settings.runs);
      const ratio = ms / helloMs;
      figures.push(
        {
          name: `${mode} SDK: ${bundle.name} size`,
          value: round(bundle.bytes / 1024, 1),
          unit: 'KiB',
        },
        { name: `${mode} SDK: ${bundle.name} cold import`, value: round(ms, 1), unit: 'ms' },
        {
          name: `${mode} SDK: ${bundle.name} import / hello-world`,
          value: round(ratio, 2),
          unit: 'x',
        },
      );
      if (mode === deployed && SEND_FUNCTIONS.has(bundle.name)) {
        goals.push(
          goal(`${bundle.name} bundle <= 300 KiB`, round(bundle.bytes / 1024, 1), '<=', 300, 'KiB'),
          goal(
            `${bundle.name} cold import <= 1.5x hello-world`,
            round(ratio, 2),
            '<=',
            settings.maxSendImportRatio,
            'x',
          ),
        );
      }
    }
  }
  return benchResult('bundles', startedAt, {
    figures,
    goals,
    notes: [
      `deployed mode: SDK ${deployed}; median of ${settings.runs} fresh processes per bundle, with --enable-source-maps`,
    ],
  });
}
