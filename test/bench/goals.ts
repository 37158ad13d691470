import type { BenchGoal, BenchResult } from './types.ts';

/** Builds a goal and judges it: `actual comparison target`. */
export function goal(
  description: string,
  actual: number,
  comparison: BenchGoal['comparison'],
  target: number,
  unit: string,
): BenchGoal {
  const passed =
    comparison === '>='
      ? actual >= target
      : comparison === '<='
        ? actual <= target
        : comparison === '>'
          ? actual > target
          : comparison === '<'
            ? actual < target
            : actual === target;
  return { description, actual, target, comparison, unit, passed };
}

/** Assembles a result whose `passed` is the conjunction of its goals. */
export function benchResult(
  name: string,
  startedAt: number,
  parts: Pick<BenchResult, 'figures' | 'goals'> & { notes?: string[] },
): BenchResult {
  return {
    name,
    figures: parts.figures,
    goals: parts.goals,
    passed: parts.goals.every((entry) => entry.passed),
    durationMs: Date.now() - startedAt,
    notes: parts.notes ?? [],
  };
}

/** The median of repeated measurements (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/** Bytes per millisecond as MiB/s (a run of 0 ms counts as 1 ms). */
export function mibPerSecond(bytes: number, ms: number): number {
  return bytes / 2 ** 20 / (Math.max(1, ms) / 1000);
}

/** Rounds for display and JSON: figures keep two decimals. */
export function round(value: number, decimals = 2): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
