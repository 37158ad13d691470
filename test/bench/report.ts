import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BenchResult } from './types.ts';

/** Renders results as a plain-text table: one block per benchmark, figures then goals. */
export function formatTable(results: readonly BenchResult[]): string {
  const rows: string[][] = [['benchmark', 'figure / goal', 'value', 'status']];
  for (const result of results) {
    for (const figure of result.figures) {
      rows.push([result.name, figure.name, `${figure.value} ${figure.unit}`.trim(), '']);
    }
    for (const entry of result.goals) {
      rows.push([
        result.name,
        `GOAL ${entry.description}`,
        `${entry.actual} ${entry.comparison} ${entry.target} ${entry.unit}`.trim(),
        entry.passed ? 'pass' : 'FAIL',
      ]);
    }
    rows.push([
      result.name,
      `overall (${(result.durationMs / 1000).toFixed(1)} s)`,
      '',
      result.passed ? 'PASS' : 'FAIL',
    ]);
  }
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  const line = (row: string[]) =>
    row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  const separator = widths.map((width) => '-'.repeat(width)).join('  ');
  const [header, ...body] = rows;
  // Notes are prose: printed under the table so they do not stretch its columns.
  const notes = results.flatMap((result) =>
    result.notes.map((note) => `${result.name} note: ${note}`),
  );
  return [
    line(header ?? []),
    separator,
    ...body.map(line),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}

/** The machine-readable summary line printed after the table. */
export function formatJsonLine(results: readonly BenchResult[]): string {
  return JSON.stringify({ benchmarks: results, passed: results.every((result) => result.passed) });
}

/** Writes `bench-results/latest.json` (gitignored) with the environment the figures came from. */
export async function writeResults(path: string, results: readonly BenchResult[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const document = {
    finishedAt: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: (await import('node:os')).cpus().length,
    passed: results.every((result) => result.passed),
    benchmarks: results,
  };
  await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
}
