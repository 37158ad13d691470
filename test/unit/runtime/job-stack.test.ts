import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createJobHandler, InvalidEventError } from '../../../lib/runtime/job-stack.ts';
import { lambdaContext, scheduledEvent } from '../../support/events.ts';

describe('createJobHandler', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes a deadline of remaining time minus the safety margin', async () => {
    // Prepare (fake timers: no time passes between reading the clock here and in the handler)
    vi.useFakeTimers();
    let seen: { deadline: number; aborted: boolean } | undefined;
    const handler = createJobHandler({
      service: 'job-test',
      safetyMs: 2_000,
      handler: async (_event, job) => {
        seen = { deadline: job.deadline, aborted: job.signal.aborted };
        return 'done';
      },
    });
    const before = Date.now();

    // Act
    const result = await handler(scheduledEvent(), lambdaContext({ remainingMs: 10_000 }));

    // Assess
    expect(result).toBe('done');
    expect(seen?.aborted).toBe(false);
    expect(seen?.deadline).toBe(before + 8_000);
  });

  it('aborts the signal at the deadline', async () => {
    // Prepare (fake timers: the deadline comes from the fake clock and the abort from a fake timer;
    // middy's own early timeout runs on a real timer, so the remaining time is long)
    vi.useFakeTimers();
    const aborts: Array<{ at: number; deadline: number }> = [];
    let started = 0;
    const handler = createJobHandler({
      service: 'job-test',
      safetyMs: 2_000,
      handler: async (_event, job) => {
        started = Date.now();
        await new Promise<void>((resolve) =>
          job.signal.addEventListener('abort', () => {
            aborts.push({ at: Date.now(), deadline: job.deadline });
            resolve();
          }),
        );
        return 'stopped';
      },
    });

    // Act
    const result = handler(scheduledEvent(), lambdaContext({ remainingMs: 30_000 }));
    await vi.advanceTimersByTimeAsync(27_999);
    const beforeDeadline = [...aborts];
    await vi.advanceTimersByTimeAsync(1);
    const outcome = await result;

    // Assess
    expect(beforeDeadline).toEqual([]);
    expect(outcome).toBe('stopped');
    expect(aborts).toEqual([{ at: started + 28_000, deadline: started + 28_000 }]);
  });

  it('validates the event and fails with a reason naming the fields', async () => {
    // Prepare
    const run = vi.fn(async () => 'ran');
    const handler = createJobHandler({
      service: 'job-test',
      event: z.object({
        'detail-type': z.literal('Alert'),
        detail: z.object({ title: z.string() }),
      }),
      handler: run,
    });

    // Act
    const failure = await handler(scheduledEvent(), lambdaContext()).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(failure).toBeInstanceOf(InvalidEventError);
    const reason = (failure as InvalidEventError).reason;
    expect(reason).toContain('detail-type');
    expect(reason).toContain('detail.title');
    expect(run).not.toHaveBeenCalled();
  });

  it('rethrows handler failures so that Lambda retries or dead-letters', async () => {
    // Prepare
    const handler = createJobHandler({
      service: 'job-test',
      handler: async () => {
        throw new Error('checkpoint write failed');
      },
    });

    // Act
    const failure = handler(scheduledEvent(), lambdaContext());

    // Assess
    await expect(failure).rejects.toThrow('checkpoint write failed');
  });
});
