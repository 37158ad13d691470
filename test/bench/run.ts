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

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((argument) => !argument.startsWith('-'));
  const unknown = wanted.filter((name) => !BENCHMARKS.some((bench) => bench.name === name));
  if (unknown.length > 0) {
    const known = BENCHMARKS.map((bench) => bench.name).join(', ');
    throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${known}`);
  }
  const selected = BENCHMARKS.filter((bench) => wanted.length === 0 || wanted.includes(bench.name));
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
