/**
 * `npm start` as a child process in its own process group, as a terminal runs it, so a test can
 * send the group SIGINT (Ctrl+C) and check that every process of it is gone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import type { LocalStackInfo } from '../../../local/stack/stack.ts';

const PROJECT_ROOT = new URL('../../../', import.meta.url).pathname;

/** The line `npm start` prints when it is ready. */
export const READY = 'Local stack ready';

/** A started `npm start`. */
export interface StackProcess {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code and signal of npm. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** `<dataDir>/stack.json`, written when ready. */
  info(): Promise<LocalStackInfo>;
  /**
   * Sends SIGINT to the group and waits until every process of it has exited and everything
   * they printed has been read.
   */
  interrupt(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs what is left (for afterAll). */
  kill(): void;
}

/** Polls `probe` every 100 ms until it returns a value. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether any process of the group `pid` still exists. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when nothing accepts a connection at `url`. */
export function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** Runs `npm start` with `env` added (Node 24 first on PATH). */
export function startStackProcess(dataDir: string, env: Record<string, string>): StackProcess {
  let output = '';
  const child = spawn('npm', ['start', '--silent'], {
    cwd: PROJECT_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      LOCAL_DATA_DIR: dataDir,
      LOCAL_API_PORT: '0',
      ...env,
    },
  });
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // Every process of the group writes to npm's pipes: they close when the last one has exited
  // and its last lines have been read, which npm's own exit does not wait for.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const pid = child.pid as number;
  return {
    child,
    output: () => output,
    exited,
    info: async () =>
      JSON.parse(await readFile(join(dataDir, 'stack.json'), 'utf8')) as LocalStackInfo,
    interrupt: async () => {
      process.kill(-pid, 'SIGINT');
      const exit = await exited;
      await waitFor(
        () => (groupAlive(pid) ? undefined : true),
        10_000,
        'every process of the stack to exit',
      );
      await closed;
      return exit;
    },
    kill: () => {
      if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
    },
  };
}
