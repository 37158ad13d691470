import { describe, expect, it } from 'vitest';
import { ChildProcessError, startChild } from './child-process.ts';

const ECHO_CHILD = new URL('./fixtures/echo-child.ts', import.meta.url);

describe('startChild', () => {
  it('passes input to a separate process and returns its messages in order', async () => {
    // Prepare
    const child = startChild(ECHO_CHILD, { value: 21 }, 'echo');

    // Act
    const result = await child.next<{ type: string; result: { doubled: number; pid: number } }>(
      'result',
      20_000,
    );
    const progress = await child.next<{ type: string; value: number }>('progress', 1_000);
    const exitCode = await child.exited();

    // Assess
    expect(result.result.doubled).toBe(42);
    expect(result.result.pid).not.toBe(process.pid);
    expect(progress.value).toBe(21);
    expect(exitCode).toBe(0);
  });

  it('rejects waiters with the child error when the child fails', async () => {
    // Prepare
    const child = startChild(ECHO_CHILD, { value: 1, fail: true }, 'echo');

    // Act
    const waiting = child.next('result', 20_000);

    // Assess
    await expect(waiting).rejects.toThrow(ChildProcessError);
    await expect(waiting).rejects.toThrow(/asked to fail/);
    await child.stop();
  });
});
