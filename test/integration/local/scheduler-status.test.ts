import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  SCHEDULE_INPUT,
  type ScheduleTick,
  startScheduler,
} from '../../../local/stack/scheduler.ts';
import { formatAccess, formatBytes, formatJobRun } from '../../../local/stack/status.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('local scheduler', () => {
  // Fake timers: the schedule's ticks and the runs' durations happen on a clock the test moves.
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('invokes each job on its compressed schedule with the deployed schedule input', async () => {
    // Prepare
    const calls: Array<{ name: string; input: unknown; at: number }> = [];
    const started = Date.now();

    // Act
    const scheduler = startScheduler({
      jobs: [
        { functionName: 'archive', everyMs: 100, firstAfterMs: 0 },
        { functionName: 'purge', everyMs: 1_000 },
      ],
      invoke: async (name, input) => {
        calls.push({ name, input, at: Date.now() - started });
      },
    });
    await vi.advanceTimersByTimeAsync(450);
    await scheduler.stop();
    const afterStop = calls.length;
    await vi.advanceTimersByTimeAsync(1_000);

    // Assess
    const archiveCalls = calls.filter((call) => call.name === 'archive');
    expect(archiveCalls.map((call) => call.at)).toEqual([0, 100, 200, 300, 400]);
    expect(archiveCalls.every((call) => call.input === SCHEDULE_INPUT)).toBe(true);
    expect(calls.some((call) => call.name === 'purge')).toBe(false);
    expect(calls.length).toBe(afterStop);
  });

  it('never overlaps runs of one job: a tick during a run is reported as skipped', async () => {
    // Prepare
    const ticks: ScheduleTick[] = [];
    let running = 0;
    let overlapped = false;

    // Act
    const scheduler = startScheduler({
      jobs: [{ functionName: 'archive', everyMs: 50, firstAfterMs: 0 }],
      invoke: async () => {
        running += 1;
        if (running > 1) overlapped = true;
        await sleep(175);
        running -= 1;
      },
      onTick: (tick) => ticks.push(tick),
    });
    await vi.advanceTimersByTimeAsync(400);
    await Promise.all([scheduler.stop(), vi.runAllTimersAsync()]);

    // Assess
    expect(overlapped).toBe(false);
    expect(ticks.filter((tick) => tick.outcome === 'ran').length).toBeGreaterThanOrEqual(1);
    expect(ticks.filter((tick) => tick.outcome === 'skipped').length).toBeGreaterThanOrEqual(2);
  });

  it('reports a failed run and keeps scheduling', async () => {
    // Prepare
    const ticks: ScheduleTick[] = [];
    let count = 0;

    // Act
    const scheduler = startScheduler({
      jobs: [{ functionName: 'purge', everyMs: 60, firstAfterMs: 0 }],
      invoke: async () => {
        count += 1;
        if (count === 1) throw new Error('first run fails');
      },
      onTick: (tick) => ticks.push(tick),
    });
    await vi.advanceTimersByTimeAsync(200);
    await scheduler.stop();

    // Assess
    expect(ticks[0]?.outcome).toBe('failed');
    expect(ticks.slice(1).some((tick) => tick.outcome === 'ran')).toBe(true);
  });
});

describe('status lines', () => {
  it('says what an archive run did: messages, bytes and rate-limit waits', () => {
    // Prepare
    const payload = JSON.stringify({
      runs: [
        {
          archivedMessages: 5,
          archivedBytes: 2_097_152,
          unchangedMessages: 1,
          markedDeleted: 0,
          complete: true,
          failures: [],
        },
        {
          archivedMessages: 2,
          archivedBytes: 1_024,
          unchangedMessages: 0,
          markedDeleted: 1,
          complete: true,
          failures: [],
        },
      ],
    });

    // Act
    const line = formatJobRun({
      functionName: 'archive',
      payload,
      // Three concurrent waits: more waiting summed than the run lasted
      metrics: { RateLimitWaits: 3, RateLimitWaitTime: 4_500 },
      durationMs: 2_345,
    });

    // Assess
    expect(line).toContain('7 archived, 2.0 MB');
    expect(line).toContain('1 unchanged, 1 marked deleted, cursor advanced');
    expect(line).toContain('rate-limit waits 3 (4.5 s summed)');
    expect(line).toContain('2.3 s');
  });

  it('says what a purge run did, and whether it was a dry run', () => {
    // Prepare
    const counts = {
      candidates: 9,
      verified: 8,
      deleted: 0,
      wouldDelete: 8,
      skipped: 1,
      failed: 0,
    };

    // Act
    const dry = formatJobRun({
      functionName: 'purge',
      payload: JSON.stringify({ dryRun: true, counts }),
      metrics: {},
      durationMs: 10,
    });
    const real = formatJobRun({
      functionName: 'purge',
      payload: JSON.stringify({ dryRun: false, counts: { ...counts, deleted: 8, wouldDelete: 0 } }),
      metrics: {},
      durationMs: 10,
    });

    // Assess
    expect(dry).toContain('dry run: 8 would be purged, 9 candidates, 1 skipped');
    expect(real).toContain('8 purged, 9 candidates');
  });

  it('says how far an export run covered the account, or that it resumes', () => {
    // Act
    const complete = formatJobRun({
      functionName: 'archive-export',
      payload: JSON.stringify({
        range: { dateFrom: '2026-03-02T13:20:00.000Z', dateTo: '2026-03-02T14:03:12.000Z' },
        complete: true,
        extensionsMarked: 31,
        backfill: { messagesTotal: 52, messagesArchived: 40 },
      }),
      metrics: {},
      durationMs: 10,
    });
    const incomplete = formatJobRun({
      functionName: 'archive-export',
      payload: JSON.stringify({ range: {}, complete: false, extensionsMarked: 0 }),
      metrics: {},
      durationMs: 10,
    });

    // Assess
    expect(complete).toContain(
      'exported through 14:03:12: 40 messages archived of 52, 31 extensions marked',
    );
    expect(incomplete).toContain('export incomplete (resumes at the next run)');
  });

  it('names a failure, and a request the gateway refused as not run by any function', () => {
    // Act
    const failed = formatJobRun({
      functionName: 'archive',
      metrics: {},
      durationMs: 5,
      error: { name: 'Timeout', message: 'Task timed out' },
    });
    const refused = formatAccess({
      method: 'POST',
      path: '/sms',
      status: 403,
      functionName: 'send-sms',
      durationMs: 1.2,
      refusal: 'signature-mismatch',
    });
    const noRoute = formatAccess({
      method: 'POST',
      path: '/smss',
      status: 404,
      durationMs: 0.4,
      refusal: 'no route',
    });
    const answered = formatAccess({
      method: 'POST',
      path: '/sms',
      status: 400,
      functionName: 'send-sms',
      durationMs: 9,
    });

    // Assess
    expect(failed).toContain('FAILED Timeout: Task timed out');
    expect(refused).toContain(
      '403 refused by the gateway (signature-mismatch); send-sms did not run, 1 ms',
    );
    expect(noRoute).toContain('POST /smss          404 refused by the gateway (no route), 0 ms');
    expect(answered).toContain('POST /sms           400 -> send-sms, 9 ms');
    expect([formatBytes(512), formatBytes(1_536), formatBytes(3 * 1024 ** 3)]).toEqual([
      '512 B',
      '1.5 KB',
      '3.0 GB',
    ]);
  });
});
