/**
 * `npm run bench [-- name ...]`: runs the benchmarks one after another (each starts its own child
 * processes), prints a table and one JSON line, and writes bench-results/latest.json.
 * Exit code 1 when a goal failed or a benchmark crashed.
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import '../../cli/node-version.js';
// Must come before the other imports: it runs before aws-cdk-lib loads.
import './no-cdk-profiling.ts';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS } from './benchmarks.ts';
import { formatJsonLine, formatTable, writeResults } from './report.ts';
import type { BenchResult } from './types.ts';

const RESULTS_PATH = fileURLToPath(new URL('../../bench-results/latest.json', import.meta.url));

/** Options some benchmarks read from the command line (the rest read BENCH_* variables). */
const OPTIONS = {
  '--full': 'account-scale: the full size (5,000 extensions, 50,000 messages, 5,000 sends)',
  '--faults': 'account-scale: a killed worker, an hour of 10% 5xx and a 429 storm in the day',
} as const;

function usage(): string {
  const width = Math.max(...BENCHMARKS.map((bench) => bench.name.length));
  return [
    'Usage: npm run bench [-- <benchmark> ...] [--full] [--faults]',
    '',
    'Runs the named benchmarks (all of them without a name), prints their figures and GOAL lines,',
    'and writes bench-results/latest.json; exit code 1 when a goal failed.',
    '',
    'benchmarks:',
    ...BENCHMARKS.map((bench) => `  ${bench.name.padEnd(width)}  ${bench.description}`),
    '',
    'options:',
    ...Object.entries(OPTIONS).map(([option, meaning]) => `  ${option.padEnd(width)}  ${meaning}`),
    `${'  --help'.padEnd(width + 2)}  this text`,
  ].join('\n');
}

/** The benchmarks the command line names, or undefined after answering --help or a mistake. */
function selectedBenchmarks(argv: readonly string[]) {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage()}\n`);
    return undefined;
  }
  const options = argv.filter((argument) => argument.startsWith('-'));
  const wanted = argv.filter((argument) => !argument.startsWith('-'));
  const unknownOption = options.find((option) => !(option in OPTIONS));
  const unknownName = wanted.find((name) => !BENCHMARKS.some((bench) => bench.name === name));
  const mistake = unknownOption
    ? `Unknown option '${unknownOption}'`
    : unknownName
      ? `Unknown benchmark '${unknownName}'`
      : undefined;
  if (mistake) {
    process.stderr.write(`${mistake}\n\n${usage()}\n`);
    process.exitCode = 2;
    return undefined;
  }
  return BENCHMARKS.filter((bench) => wanted.length === 0 || wanted.includes(bench.name));
}

async function main(): Promise<void> {
  const selected = selectedBenchmarks(process.argv.slice(2));
  if (!selected) return;
  const results: BenchResult[] = [];
  for (const bench of selected) {
    process.stderr.write(`[bench] ${bench.name}: ${bench.description}\n`);
    const startedAt = Date.now();
    try {
      results.push(await bench.run());
    } catch (error) {
      // A crashed benchmark is a failed result, so the others still run and get reported.
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`[bench] ${bench.name} crashed: ${message}\n`);
      results.push({
        name: bench.name,
        figures: [],
        goals: [],
        passed: false,
        durationMs: Date.now() - startedAt,
        notes: [`crashed: ${error instanceof Error ? error.message : String(error)}`],
      });
    }
    process.stderr.write(
      `[bench] ${bench.name} done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`,
    );
  }
  process.stdout.write(`${formatTable(results)}\n`);
  process.stdout.write(`${formatJsonLine(results)}\n`);
  await writeResults(RESULTS_PATH, results);
  process.exitCode = results.every((result) => result.passed) ? 0 : 1;
}

await main();
