import { afterEach, describe, expect, it } from 'vitest';
import { createAsyncInvoker } from '../../../lib/aws/invoker.ts';
import type { FakeLambda } from '../../support/aws-fakes.ts';
import { fakeLambda } from '../../support/aws-fakes.ts';

describe('createAsyncInvoker', () => {
  let fake: FakeLambda | undefined;
  afterEach(() => {
    fake?.restore();
    fake = undefined;
  });

  it('invokes the function asynchronously with the JSON payload', async () => {
    // Prepare
    fake = fakeLambda();
    const invoker = createAsyncInvoker({ functionName: 'archive', client: fake.client });

    // Act
    await invoker.invoke({ messageIds: ['1234567890123456789'] });

    // Assess
    expect(fake.invocations).toEqual([
      { functionName: 'archive', payload: { messageIds: ['1234567890123456789'] } },
    ]);
  });
});
