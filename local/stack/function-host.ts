/**
 * The host side of the local Lambda runtime: runs one function's bundle in child processes
 * (local/stack/lambda-worker.ts), each with the function's own environment and Node options, one
 * invocation per process at a time, more processes up to the function's concurrency, warm
 * processes reused. An invocation that outlives the function's timeout kills its process, as
 * Lambda ends a timed-out execution environment.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { FUNCTION_RUNTIME_ENVIRONMENT } from '../../infra/function-runtime.ts';
import type { InvokeMessage, WorkerReply } from './lambda-worker.ts';

/** What one invocation produced. */
export interface Invocation {
  functionName: string;
  requestId: string;
  /** The handler's return value as JSON text (undefined when it returned nothing). */
  payload: string | undefined;
  /** Embedded metrics the function emitted during the invocation, summed by name. */
  metrics: Record<string, number>;
  durationMs: number;
  /** Whether this invocation started a new process (a cold start). */
  coldStart: boolean;
}

/** A function failed, crashed or timed out. */
export class FunctionInvocationError extends Error {
  override name = 'FunctionInvocationError';
  readonly functionName: string;
  /** The error the handler threw, by name (`Timeout` when the function ran out of time). */
  readonly errorName: string;
  readonly timedOut: boolean;
  readonly metrics: Record<string, number>;
  constructor(
    functionName: string,
    error: { name: string; message: string },
    options?: { timedOut?: boolean; metrics?: Record<string, number>; cause?: unknown },
  ) {
    super(`${functionName}: ${error.name}: ${error.message}`, { cause: options?.cause });
    this.functionName = functionName;
    this.errorName = error.name;
    this.timedOut = options?.timedOut ?? false;
    this.metrics = options?.metrics ?? {};
  }
}

/** Settings of one hosted function. */
export interface FunctionSettings {
  name: string;
  bundle: string;
  /** The runtime (worker.mjs) that loads the bundle. */
  worker: string;
  /** The function's environment (the host adds nothing else but PATH-like basics). */
  environment: Record<string, string>;
  /** NODE_OPTIONS of the deployed functions. */
  nodeOptions: string;
  timeoutMs: number;
  /** Processes at once (reserved concurrency); further invocations wait. Default 4. */
  concurrency?: number;
  /** A file descriptor the processes write their logs to. */
  logFd: number;
}

/** A hosted function. */
export interface HostedFunction {
  readonly name: string;
  invoke(event: unknown): Promise<Invocation>;
  /** Invocations running or waiting. */
  busy(): number;
  /** Ends every process of the function. */
  stop(): Promise<void>;
}

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<void>;
  busy: boolean;
}

/** Environment keys a child inherits from the host (the rest is the function's own). */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'SystemRoot'];

/** Starts hosting a function; no process starts before the first invocation. */
export function hostFunction(settings: FunctionSettings): HostedFunction {
  const workers = new Set<Worker>();
  const waiting: Array<() => void> = [];
  let active = 0;
  let stopped = false;
  const concurrency = settings.concurrency ?? 4;

  const spawnWorker = (): Worker => {
    const environment: Record<string, string> = {};
    for (const key of INHERITED) {
      const value = process.env[key];
      if (value !== undefined) environment[key] = value;
    }
    Object.assign(environment, FUNCTION_RUNTIME_ENVIRONMENT, settings.environment, {
      AWS_LAMBDA_FUNCTION_NAME: settings.name,
      NODE_OPTIONS: settings.nodeOptions,
      NODE_NO_WARNINGS: '1',
    });
    const child = fork(settings.worker, [settings.bundle, settings.name], {
      env: environment,
      execArgv: [],
      stdio: ['ignore', settings.logFd, settings.logFd, 'ipc'],
      serialization: 'advanced',
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (raw: unknown) => {
        const message = raw as WorkerReply;
        if (message.type === 'ready') {
          child.off('message', onMessage);
          resolve();
        } else if (message.type === 'init-error') {
          child.off('message', onMessage);
          reject(new FunctionInvocationError(settings.name, message.error));
        }
      };
      child.on('message', onMessage);
      void exited.then(() =>
        reject(
          new FunctionInvocationError(settings.name, {
            name: 'Runtime.ExitError',
            message: 'the process exited during init',
          }),
        ),
      );
    });
    const worker: Worker = { child, ready, exited, busy: false };
    workers.add(worker);
    void exited.then(() => workers.delete(worker));
    return worker;
  };

  const acquireSlot = async () => {
    while (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
  };
  const releaseSlot = () => {
    active -= 1;
    waiting.shift()?.();
  };

  const run = (worker: Worker, event: unknown, requestId: string) =>
    new Promise<WorkerReply & { type: 'result' }>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        // Out of the pool before it is gone: the next invocation must not pick it.
        workers.delete(worker);
        worker.child.kill('SIGKILL');
        reject(
          new FunctionInvocationError(
            settings.name,
            { name: 'Timeout', message: `Task timed out after ${settings.timeoutMs} ms` },
            { timedOut: true },
          ),
        );
      }, settings.timeoutMs + 100);
      const onMessage = (raw: unknown) => {
        const message = raw as WorkerReply;
        if (message.type === 'result' && message.requestId === requestId) {
          cleanup();
          resolve(message);
        }
      };
      const onExit = () => {
        cleanup();
        reject(
          new FunctionInvocationError(settings.name, {
            name: 'Runtime.ExitError',
            message: 'the process exited during the invocation',
          }),
        );
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.child.off('message', onMessage);
        worker.child.off('exit', onExit);
      };
      worker.child.on('message', onMessage);
      worker.child.once('exit', onExit);
      const message: InvokeMessage = {
        type: 'invoke',
        requestId,
        event,
        timeoutMs: settings.timeoutMs,
      };
      worker.child.send(message);
    });

  return {
    name: settings.name,
    busy: () => active + waiting.length,
    invoke: async (event) => {
      if (stopped) {
        throw new FunctionInvocationError(settings.name, {
          name: 'Stopped',
          message: 'the local stack is stopping',
        });
      }
      await acquireSlot();
      const started = performance.now();
      const requestId = randomUUID();
      let worker = [...workers].find(
        (candidate) =>
          !candidate.busy && candidate.child.exitCode === null && !candidate.child.killed,
      );
      const coldStart = worker === undefined;
      worker ??= spawnWorker();
      worker.busy = true;
      try {
        await worker.ready;
        const reply = await run(worker, event, requestId);
        if (!reply.ok) {
          throw new FunctionInvocationError(settings.name, reply.error, {
            metrics: reply.metrics,
          });
        }
        return {
          functionName: settings.name,
          requestId,
          payload: reply.payload,
          metrics: reply.metrics,
          durationMs: performance.now() - started,
          coldStart,
        };
      } catch (error) {
        // A process that failed to start stays out of the pool.
        if (error instanceof FunctionInvocationError && error.errorName !== 'Timeout') {
          if (worker.child.exitCode !== null) workers.delete(worker);
        }
        throw error;
      } finally {
        worker.busy = false;
        releaseSlot();
      }
    },
    stop: async () => {
      stopped = true;
      const all = [...workers];
      for (const worker of all) worker.child.kill('SIGTERM');
      const forced = setTimeout(() => {
        for (const worker of all) worker.child.kill('SIGKILL');
      }, 2_000);
      await Promise.all(all.map((worker) => worker.exited));
      clearTimeout(forced);
    },
  };
}
