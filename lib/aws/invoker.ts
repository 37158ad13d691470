import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { stringifyJson } from '../ringcentral/index.ts';

/** Lambda did not queue the asynchronous invocation. */
export class InvokeError extends Error {
  override name = 'InvokeError';
  readonly functionName: string;
  constructor(functionName: string, message: string, options?: { cause?: unknown }) {
    super(`Invoking ${functionName}: ${message}`, options);
    this.functionName = functionName;
  }
}

/** Invokes one function asynchronously. */
export interface AsyncInvoker {
  /** InvocationType 'Event': resolves once Lambda has queued the payload (202). */
  invoke(payload: unknown): Promise<void>;
}

/** Creates an asynchronous invoker of `functionName`. */
export function createAsyncInvoker(options: {
  functionName: string;
  client?: LambdaClient;
}): AsyncInvoker {
  const client = options.client ?? new LambdaClient({});
  return {
    invoke: async (payload) => {
      const result = await client.send(
        new InvokeCommand({
          FunctionName: options.functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(stringifyJson(payload)),
        }),
      );
      if (result.StatusCode !== undefined && result.StatusCode !== 202) {
        throw new InvokeError(options.functionName, `status ${result.StatusCode}`);
      }
      if (result.FunctionError) throw new InvokeError(options.functionName, result.FunctionError);
    },
  };
}
