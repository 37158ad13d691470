import { describe, expect, it } from 'vitest';
import { measureThroughput } from './throughput.ts';
import type { RequestRecord } from './workload.ts';

/** Requests released in bursts of `perBurst` every `everyMs`, as a pacing client sends them. */
function bursts(
  count: number,
  perBurst: number,
  everyMs: number,
  start = 1_000_000,
): RequestRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const startedAt = start + Math.floor(index / perBurst) * everyMs + (index % perBurst);
    return {
      group: 'Light',
      operation: 'listMessages',
      startedAt,
      endedAt: startedAt + 5,
      ok: true,
    };
  });
}

describe('measureThroughput', () => {
  it('reports 100% for one full burst per window', () => {
    // Prepare
    const records = bursts(500, 50, 3_000);

    // Act
    const measured = measureThroughput(records, 'Light', 50, 3_000);

    // Assess
    expect(measured.percentOfLimit).toBe(100);
    expect(measured.perWindow.length).toBeGreaterThanOrEqual(7);
  });

  it('reports half when only half the limit is used', () => {
    // Prepare
    const records = bursts(250, 25, 3_000);

    // Act
    const measured = measureThroughput(records, 'Light', 50, 3_000);

    // Assess
    expect(measured.percentOfLimit).toBe(50);
  });

  it('ignores failed requests and other groups', () => {
    // Prepare
    const records = bursts(500, 50, 3_000).map((record, index) =>
      index % 2 === 0 ? { ...record, ok: false } : record,
    );
    const other: RequestRecord = { ...bursts(1, 1, 1)[0]!, group: 'Heavy' };

    // Act
    const measured = measureThroughput([...records, other], 'Light', 50, 3_000);

    // Assess
    expect(measured.completed).toBe(250);
    expect(measured.percentOfLimit).toBe(50);
  });

  it('reports 0 when the run is too short for a steady window', () => {
    // Prepare
    const records = bursts(60, 50, 3_000);

    // Act
    const measured = measureThroughput(records, 'Light', 50, 3_000);

    // Assess
    expect(measured.percentOfLimit).toBe(0);
    expect(measured.perWindow).toEqual([]);
  });
});
