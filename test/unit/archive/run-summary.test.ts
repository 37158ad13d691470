import { describe, expect, it } from 'vitest';
import type { ArchiveRunResult } from '../../../lib/archive/archiver.ts';
import {
  publishRunSummary,
  type RunSummarySink,
  summarizeArchiveRun,
} from '../../../lib/archive/run-summary.ts';

function run(overrides: Partial<ArchiveRunResult> = {}): ArchiveRunResult {
  return {
    extension: '~',
    mode: 'ISync',
    complete: true,
    stoppedAtDeadline: false,
    cursorAdvanced: true,
    records: 3,
    archivedMessages: 2,
    unchangedMessages: 1,
    markedDeleted: 0,
    storedAttachments: 4,
    skippedAttachments: 5,
    missingAttachments: 0,
    archivedBytes: 600,
    failures: [],
    ...overrides,
  };
}

function recordingSink() {
  const metrics: Array<[string, string, number]> = [];
  const lines: Array<[string, string, Record<string, unknown>]> = [];
  const log = (level: string) => (message: string, fields: Record<string, unknown>) => {
    lines.push([level, message, fields]);
  };
  const sink: RunSummarySink = {
    metrics: { addMetric: (name, unit, value) => metrics.push([name, unit, value]) },
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
  };
  return { sink, metrics, lines };
}

describe('summarizeArchiveRun', () => {
  it('reports the run as metrics and one info line when nothing failed', () => {
    // Prepare
    const { sink, metrics, lines } = recordingSink();

    // Act
    publishRunSummary(summarizeArchiveRun(run({ cursorLagSeconds: 12 })), sink);

    // Assess
    expect(metrics).toEqual([
      ['ArchivedMessages', 'Count', 2],
      ['ArchivedBytes', 'Bytes', 600],
      ['SkippedAttachments', 'Count', 5],
      ['ArchiveFailures', 'Count', 0],
      ['CursorLagSeconds', 'Seconds', 12],
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.[0]).toBe('info');
    expect(lines[0]?.[1]).toBe('Archive run finished');
    expect(lines[0]?.[2]).toMatchObject({ extension: '~', mode: 'ISync', records: 3 });
    expect(lines[0]?.[2]).not.toHaveProperty('failures');
  });

  it('leaves out the lag without a cursor time and logs at most 20 failures as an error', () => {
    // Prepare
    const failures = Array.from({ length: 25 }, (_, index) => ({
      messageId: String(index),
      error: 'Error: boom',
    }));

    // Act
    const summary = summarizeArchiveRun(run({ failures, complete: false }));

    // Assess
    expect(summary.metrics.map((metric) => metric.name)).not.toContain('CursorLagSeconds');
    expect(summary.metrics).toContainEqual({ name: 'ArchiveFailures', unit: 'Count', value: 25 });
    expect(summary.log.level).toBe('error');
    expect(summary.log.message).toBe('Archive run had failures; the cursor stays');
    expect(summary.log.fields.failures).toEqual(failures.slice(0, 20));
  });
});
