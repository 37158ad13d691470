import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createJobHandler, InvalidEventError } from '../../../lib/runtime/job-stack.ts';
import { lambdaContext, scheduledEvent } from '../../support/events.ts';

describe('createJobHandler', () => {
  it('passes a deadline of remaining time minus the safety margin', async () => {
    // Prepare
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
    expect(seen?.deadline).toBeGreaterThanOrEqual(before + 8_000 - 50);
    expect(seen?.deadline).toBeLessThanOrEqual(Date.now() + 8_000);
  });

  it('aborts the signal at the deadline', async () => {
    // Prepare
    const handler = createJobHandler({
      service: 'job-test',
      safetyMs: 100,
      handler: async (_event, job) => {
        const started = Date.now();
        await new Promise<void>((resolve) => job.signal.addEventListener('abort', () => resolve()));
        return { waitedMs: Date.now() - started, late: Date.now() - job.deadline };
      },
    });

    // Act
    const result = await handler(scheduledEvent(), lambdaContext({ remainingMs: 400 }));

    // Assess
    expect(result.waitedMs).toBeGreaterThanOrEqual(250);
    expect(result.waitedMs).toBeLessThan(400);
    expect(Math.abs(result.late)).toBeLessThan(50);
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
