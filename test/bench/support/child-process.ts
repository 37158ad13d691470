import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A message between a bench and its child: always an object with a `type`. */
export interface ChildMessage {
  type: string;
  [key: string]: unknown;
}

/** Raised when a child process exits early, reports an error or does not answer in time. */
export class ChildProcessError extends Error {
  override name = 'ChildProcessError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A running child: waits for typed messages, sends messages, and is stopped by its owner. */
export interface ChildHandle {
  readonly pid: number;
  send(message: ChildMessage): void;
  /** The next message of this type (earlier unread ones are kept in order); rejects on exit. */
  next<T extends ChildMessage>(type: string, timeoutMs?: number): Promise<T>;
  /** Resolves with the exit code once the child has ended. */
  exited(): Promise<number | null>;
  /** Asks the child to stop (a `stop` message), then kills it after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Forks a TypeScript child (run through tsx) with an IPC channel. The child gets `input` in its
 * first message, `{ type: 'input', input }`, and reports with `process.send`.
 */
export function startChild(scriptUrl: URL, input: unknown, label = 'child'): ChildHandle {
  const child: ChildProcess = fork(fileURLToPath(scriptUrl), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Quiet npm/tsx warnings must not end up in bench output.
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  child.send({ type: 'input', input }, ignoreSendError);
  const inbox: ChildMessage[] = [];
  const waiters: Array<{
    type: string;
    resolve: (message: ChildMessage) => void;
    reject: (error: Error) => void;
  }> = [];
  let exitCode: number | null | undefined;
  const exitPromise = new Promise<number | null>((resolve) => {
    // 'close' comes after the IPC channel has delivered everything; 'exit' can overtake a large
    // last message still arriving in chunks.
    child.once('close', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      for (const waiter of waiters.splice(0)) {
        waiter.reject(
          new ChildProcessError(
            `${label} exited (code ${code}, signal ${signal}) before sending ${waiter.type}`,
          ),
        );
      }
      resolve(exitCode);
    });
  });

  child.on('message', (raw) => {
    const message = raw as ChildMessage;
    if (message.type === 'error') {
      const error = new ChildProcessError(`${label} failed: ${String(message.message)}`);
      for (const waiter of waiters.splice(0)) waiter.reject(error);
      inbox.push(message);
      return;
    }
    const index = waiters.findIndex((waiter) => waiter.type === message.type);
    if (index >= 0) {
      const [waiter] = waiters.splice(index, 1);
      waiter?.resolve(message);
    } else {
      inbox.push(message);
    }
  });

  return {
    pid: child.pid ?? -1,
    send(message) {
      if (child.connected) child.send(message, ignoreSendError);
    },
    next<T extends ChildMessage>(type: string, timeoutMs = 300_000): Promise<T> {
      const failed = inbox.find((message) => message.type === 'error');
      if (failed)
        return Promise.reject(new ChildProcessError(`${label} failed: ${String(failed.message)}`));
      const index = inbox.findIndex((message) => message.type === type);
      if (index >= 0) return Promise.resolve(inbox.splice(index, 1)[0] as T);
      if (exitCode !== undefined) {
        return Promise.reject(
          new ChildProcessError(`${label} already exited before sending ${type}`),
        );
      }
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          const at = waiters.findIndex((waiter) => waiter.resolve === settle);
          if (at >= 0) waiters.splice(at, 1);
          reject(new ChildProcessError(`${label} sent no ${type} within ${timeoutMs} ms`));
        }, timeoutMs);
        const settle = (message: ChildMessage) => {
          clearTimeout(timer);
          resolve(message as T);
        };
        waiters.push({
          type,
          resolve: settle,
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
      });
    },
    exited: () => exitPromise,
    async stop(graceMs = 5_000) {
      if (exitCode !== undefined) return;
      if (child.connected) child.send({ type: 'stop' }, ignoreSendError);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

/** A child that is already going away cannot take messages; its exit is reported anyway. */
function ignoreSendError(): void {}

/**
 * The child's side: reads the `input` message, runs `main`, sends its result as
 * `{ type: 'result', result }` (or `{ type: 'error', message }`) and exits.
 * `main` may send progress messages itself with {@link sendToParent}.
 */
export function runAsChild<I, R>(main: (input: I) => Promise<R>): void {
  process.once('message', (raw) => {
    const message = raw as ChildMessage;
    if (message.type !== 'input') return;
    // Some libraries wait on unref'd timers (ky's Retry-After delay); without a ref'd handle the
    // child would exit silently in the middle of such a wait.
    const keepAlive = setInterval(() => {}, 60_000);
    let settled = false;
    process.once('exit', (code) => {
      if (!settled)
        process.stderr.write(`[child ${process.pid}] exiting (code ${code}) before its result\n`);
    });
    main(message.input as I)
      .finally(() => {
        settled = true;
        clearInterval(keepAlive);
      })
      .then((result) => {
        // Disconnect only once the (possibly large) message is written, or it can be lost.
        sendToParent({ type: 'result', result }, disconnectFromParent);
      })
      .catch((error: unknown) => {
        const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
        process.exitCode = 1;
        sendToParent({ type: 'error', message: text }, disconnectFromParent);
      });
  });
}

/** Lets the child exit once its result is out; the parent may already be gone (a killed run). */
function disconnectFromParent(): void {
  if (process.connected) process.disconnect?.();
}

/** Sends a message to the parent when there is one. */
export function sendToParent(message: ChildMessage, onSent?: () => void): void {
  if (!process.send) {
    onSent?.();
    return;
  }
  process.send(message, undefined, {}, () => onSent?.());
}
