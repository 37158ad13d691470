/**
 * Runs a bench child as Lambda runs a function: bundled by esbuild into one ESM file (with the
 * stack's bundling settings) and started with plain node (no tsx loader, whose compiled-module
 * cache alone costs ~45 MiB of RSS), with the deployed V8 flag `--max-semi-space-size=1` and the
 * deployed runtime variables (`MALLOC_ARENA_MAX`).
 * Speaks the `runAsChild` protocol.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { functionBuildOptions } from '../../../infra/function-bundles.ts';
import {
  FUNCTION_NODE_OPTIONS,
  FUNCTION_RUNTIME_ENVIRONMENT,
} from '../../../infra/function-runtime.ts';
import { type ChildMessage, ChildProcessError } from '../support/child-process.ts';

/** A bundled entry point and the directory to remove afterwards. */
export interface Bundle {
  file: string;
  dispose(): Promise<void>;
}

/**
 * Bundles `entry` (a TypeScript child) for Node 24 into a temporary directory. `minify: false`
 * keeps function names readable, for CPU profiles.
 */
export async function bundleChild(
  entry: URL,
  overrides: { minify?: boolean } = {},
): Promise<Bundle> {
  const directory = await mkdtemp(join(tmpdir(), 'bench-bundle-'));
  const file = join(directory, 'child.mjs');
  const deployed = functionBuildOptions();
  await build({
    // The deployed functions' settings (infra/function-bundles.ts), with the SDK inside the
    // bundle and no source map, as this bench has always measured the child.
    ...deployed,
    external: [],
    sourcemap: false,
    minify: overrides.minify ?? deployed.minify,
    entryPoints: [fileURLToPath(entry)],
    outfile: file,
    logLevel: 'warning',
  });
  return { file, dispose: () => rm(directory, { recursive: true, force: true }) };
}

/** Node flags of the deployed functions (see the streaming section of docs/BENCHMARKS.md). */
export const DEPLOYED_NODE_FLAGS = FUNCTION_NODE_OPTIONS.split(' ').filter((option) =>
  option.startsWith('--max-semi-space-size'),
);

/** The deployed functions' runtime variables besides NODE_OPTIONS (given as flags instead). */
const DEPLOYED_VARIABLES = Object.fromEntries(
  Object.entries(FUNCTION_RUNTIME_ENVIRONMENT).filter(([name]) => name !== 'NODE_OPTIONS'),
);

/** A running bundled child. */
export interface BundledChild {
  readonly pid: number;
  /** The child's result; rejects when it reports an error or exits first. */
  result<R>(timeoutMs?: number): Promise<R>;
  stop(): Promise<void>;
}

/** Starts a bundled child with `flags`, sends it `input`. */
export function startBundledChild(
  file: string,
  input: unknown,
  label: string,
  flags: readonly string[] = DEPLOYED_NODE_FLAGS,
): BundledChild {
  const child: ChildProcess = fork(file, [], {
    execArgv: [...flags],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...DEPLOYED_VARIABLES, NODE_NO_WARNINGS: '1', NODE_OPTIONS: '' },
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const outcome = new Promise<ChildMessage>((resolve, reject) => {
    child.on('message', (raw) => {
      const message = raw as ChildMessage;
      if (message.type === 'result') resolve(message);
      if (message.type === 'error') {
        reject(new ChildProcessError(`${label} failed: ${String(message.message)}`));
      }
    });
    void exited.then((code) =>
      reject(new ChildProcessError(`${label} exited (code ${code}) without a result`)),
    );
  });
  child.send({ type: 'input', input });
  return {
    pid: child.pid ?? -1,
    async result<R>(timeoutMs = 600_000): Promise<R> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ChildProcessError(`${label} sent no result within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        const message = await Promise.race([outcome, timeout]);
        return message.result as R;
      } finally {
        clearTimeout(timer);
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
