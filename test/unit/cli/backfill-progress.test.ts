import { describe, expect, it } from 'vitest';
import {
  type BackfillProgress,
  createProgressReporter,
  formatBytes,
  formatDuration,
  formatProgress,
} from '../../../cli/backfill/progress.ts';

function snapshot(overrides: Partial<BackfillProgress> = {}): BackfillProgress {
  return {
    phase: 'downloading',
    messagesDone: 120,
    messagesTotal: 300,
    bytesDone: 1.5 * 2 ** 20,
    bytesTotal: 3 * 2 ** 20,
    elapsedMs: 1_000,
    bytesPerSecond: 1.5 * 2 ** 20,
    etaMs: 1_000,
    ...overrides,
  };
}

describe('backfill progress', () => {
  it('formats a bar with messages, bytes, rate and ETA', () => {
    // Act
    const line = formatProgress(snapshot(), 10);

    // Assess
    expect(line).toBe('[#####-----]   50%  120/300 messages  1.5 MB/3.0 MB  1.5 MB/s  ETA 1s');
  });

  it('says what an export run waits for, and for how long, before anything moves', () => {
    // Act
    const line = formatProgress(
      snapshot({
        phase: 'exporting',
        detail: 'export task InProgress',
        messagesDone: 0,
        messagesTotal: 0,
        bytesDone: 0,
        bytesTotal: undefined,
        elapsedMs: 61_000,
        bytesPerSecond: 0,
        etaMs: undefined,
      }),
    );

    // Assess
    expect(line).toBe(
      '[exporting] waiting 1m01s for RingCentral to build the export (export task InProgress); downloads start when it is Completed, minutes for a large account',
    );
    expect(line).not.toContain('0/0 messages');
  });

  it('formats an unknown total (listing) without a bar', () => {
    // Act
    const line = formatProgress(
      snapshot({
        phase: 'listing',
        messagesTotal: undefined,
        bytesTotal: undefined,
        etaMs: undefined,
      }),
    );

    // Assess
    expect(line).toBe('[listing]  120 messages  1.5 MB  1.5 MB/s  ETA -');
  });

  it('formats sizes and durations', () => {
    // Assess
    expect([formatBytes(999), formatBytes(1536), formatBytes(5 * 2 ** 30)]).toEqual([
      '999 B',
      '1.5 KB',
      '5.0 GB',
    ]);
    expect([formatDuration(59_400), formatDuration(125_000), formatDuration(3_726_000)]).toEqual([
      '59s',
      '2m05s',
      '1h02m06s',
    ]);
  });

  it('redraws one line on a terminal and prints rate-limited plain lines otherwise', () => {
    // Prepare
    let clock = 0;
    const tty: string[] = [];
    const plain: string[] = [];
    const onTty = createProgressReporter(
      { write: (text) => tty.push(text), isTTY: true, columns: 200 },
      { now: () => clock, ttyIntervalMs: 100 },
    );
    const onPipe = createProgressReporter(
      { write: (text) => plain.push(text) },
      { now: () => clock, plainIntervalMs: 5_000 },
    );

    // Act
    for (clock = 0; clock < 10_000; clock += 50) {
      onTty.update(snapshot({ elapsedMs: clock }));
      onPipe.update(snapshot({ elapsedMs: clock }));
    }
    onPipe.update(snapshot({ phase: 'finishing' }));
    onTty.finish(snapshot({ phase: 'done' }));

    // Assess
    expect(tty.filter((text) => text.startsWith('\r')).length).toBe(101);
    expect(tty.at(-1)).toBe('\n');
    expect(plain).toHaveLength(3);
    expect(plain.every((line) => line.endsWith('\n') && !line.includes('\r'))).toBe(true);
  });
});
