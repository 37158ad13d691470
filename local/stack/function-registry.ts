/**
 * The local stack's hosted functions by name, and the job-like runs that print one status line
 * each. The AWS endpoint and the gateway are started before the functions are hosted (a function's
 * environment names their URLs), so they reach the functions through this registry.
 */
import { FunctionInvocationError, type HostedFunction, type Invocation } from './function-host.ts';
import { formatJobRun } from './status.ts';

/** The hosted functions and how the stack runs them. */
export interface FunctionRegistry {
  add(host: HostedFunction): void;
  /** Invokes a function by name; rejects with FunctionInvocationError when it fails. */
  invoke(name: string, event: unknown): Promise<Invocation>;
  /**
   * Invokes a function as a job (scheduled, asynchronous or event-driven) and prints its status
   * line; a failure is printed, unless the stack is stopping, and rethrown.
   */
  runJob(name: string, event: unknown, trigger?: string): Promise<void>;
  /** From now on runs cut short by the stop are not failures worth a line. */
  markStopping(): void;
  /** Ends every process of every function. */
  stop(): Promise<void>;
}

/** A registry whose status lines go to `print`. */
export function createFunctionRegistry(print: (line: string) => void): FunctionRegistry {
  const hosts = new Map<string, HostedFunction>();
  let stopping = false;
  const invoke = (name: string, event: unknown) => {
    const host = hosts.get(name);
    if (!host) throw new Error(`No local function named ${name}`);
    return host.invoke(event);
  };
  return {
    add: (host) => {
      hosts.set(host.name, host);
    },
    invoke: async (name, event) => invoke(name, event),
    runJob: async (name, event, trigger) => {
      const started = performance.now();
      try {
        const invocation = await invoke(name, event);
        print(formatJobRun({ ...invocation, functionName: name, ...(trigger ? { trigger } : {}) }));
      } catch (error) {
        if (!stopping) print(failedRunLine(name, trigger, error, performance.now() - started));
        throw error;
      }
    },
    markStopping: () => {
      stopping = true;
    },
    stop: async () => {
      await Promise.all([...hosts.values()].map((host) => host.stop()));
    },
  };
}

function failedRunLine(
  name: string,
  trigger: string | undefined,
  error: unknown,
  durationMs: number,
): string {
  return formatJobRun({
    functionName: name,
    ...(trigger ? { trigger } : {}),
    durationMs,
    metrics: error instanceof FunctionInvocationError ? error.metrics : {},
    error:
      error instanceof FunctionInvocationError
        ? { name: error.errorName, message: error.message }
        : { name: 'Error', message: String(error) },
  });
}
