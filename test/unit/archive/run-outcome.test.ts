import { describe, expect, it } from 'vitest';
import { createRunOutcome, StopAtCheckpoint } from '../../../lib/archive/run-outcome.ts';
import { DeadlineExceededError } from '../../../lib/ringcentral/index.ts';

describe('createRunOutcome', () => {
  it('records failures apart from interruptions and keeps the first stop reason', () => {
    // Prepare
    let now = 1_000;
    const outcome = createRunOutcome(
      { deadline: 10_000 },
      { now: () => now, checkpointMarginMs: 500 },
    );

    // Act
    outcome.settle('1', new Error('broken'));
    const stoppedBefore = outcome.shouldStop();
    outcome.settle('2', new DeadlineExceededError('late'));
    outcome.settle('3', new StopAtCheckpoint('near'));
    now = 20_000;
    outcome.settle('4', new Error('after the deadline'));

    // Assess
    expect(stoppedBefore).toBe(false);
    expect(outcome.shouldStop()).toBe(true);
    expect(outcome.failed).toBe(true);
    expect(outcome.result()).toEqual({
      stoppedAtDeadline: true,
      stopReason: 'DeadlineExceededError: late',
      failures: [{ messageId: '1', error: 'Error: broken' }],
    });
  });

  it('stops at the checkpoint margin and on an aborted signal, not before', () => {
    // Prepare
    let now = 0;
    const controller = new AbortController();
    const outcome = createRunOutcome(
      { deadline: 1_000, signal: controller.signal },
      { now: () => now, checkpointMarginMs: 200 },
    );
    const other = createRunOutcome(
      { deadline: 1_000, signal: controller.signal },
      {
        now: () => 0,
        checkpointMarginMs: 200,
      },
    );

    // Act
    const early = outcome.shouldStop();
    now = 800;
    const nearEnd = outcome.shouldStop();
    controller.abort();

    // Assess
    expect(early).toBe(false);
    expect(nearEnd).toBe(true);
    expect(() => outcome.checkpoint()).toThrow(StopAtCheckpoint);
    expect(other.shouldStop()).toBe(true);
    expect(other.isInterruption(new Error('any'))).toBe(true);
    expect(outcome.result()).toEqual({ stoppedAtDeadline: false, failures: [] });
  });
});
