import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctionBundles, type FunctionBundles } from '../../../local/stack/bundles.ts';
import {
  FunctionInvocationError,
  type HostedFunction,
  hostFunction,
} from '../../../local/stack/function-host.ts';
import { LOCAL_FUNCTION_NAMES } from '../../../local/stack/functions.ts';

/** A handler module as a bundle would export it; plain ESM, no dependencies. */
const HANDLER = `
export const handler = async (event, context) => {
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  if (event.fail) throw Object.assign(new Error('boom'), { name: 'BoomError' });
  // An EMF line, as Powertools metrics prints it.
  console.log(JSON.stringify({ _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [[]], Metrics: [{ Name: 'RateLimitWaits', Unit: 'Count' }] }] }, RateLimitWaits: event.waits ?? 0 }));
  console.log(JSON.stringify({ _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [[]], Metrics: [{ Name: 'RateLimitWaits', Unit: 'Count' }] }] }, RateLimitWaits: 1 }));
  return {
    pid: process.pid,
    remainingMs: context.getRemainingTimeInMillis(),
    functionName: context.functionName,
    fromEnv: process.env.ONLY_THIS ?? null,
    leaked: process.env.HOST_ONLY_SECRET ?? null,
    startedAt: Date.now(),
  };
};
`;

describe('local Lambda runtime (function host and worker)', () => {
  let directory: string;
  let bundles: FunctionBundles;
  let logFd: number;
  const hosts: HostedFunction[] = [];

  const host = (timeoutMs: number, concurrency = 1) => {
    const hosted = hostFunction({
      name: 'probe',
      bundle: join(directory, 'handler.mjs'),
      worker: bundles.worker,
      environment: { ONLY_THIS: 'given' },
      nodeOptions: bundles.nodeOptions,
      timeoutMs,
      concurrency,
      logFd,
    });
    hosts.push(hosted);
    return hosted;
  };
  const parse = (payload: string | undefined) =>
    JSON.parse(payload ?? 'null') as {
      pid: number;
      remainingMs: number;
      functionName: string;
      fromEnv: string | null;
      leaked: string | null;
      startedAt: number;
    };

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'function-host-'));
    await writeFile(join(directory, 'handler.mjs'), HANDLER);
    logFd = openSync(join(directory, 'functions.log'), 'a');
    process.env.HOST_ONLY_SECRET = 'must-not-leak';
    bundles = await buildFunctionBundles(LOCAL_FUNCTION_NAMES);
  });

  afterAll(async () => {
    await Promise.all(hosts.map((hosted) => hosted.stop()));
    delete process.env.HOST_ONLY_SECRET;
    closeSync(logFd);
    await rm(directory, { recursive: true, force: true });
  });

  it('builds every function with the stack options, and reuses the build when nothing changed', async () => {
    // Act
    const again = await buildFunctionBundles(LOCAL_FUNCTION_NAMES);
    const sendSms = await readFile(again.functions['send-sms'] ?? '', 'utf8');

    // Assess
    expect(again.cached).toBe(true);
    expect(Object.keys(again.functions).sort()).toEqual([...LOCAL_FUNCTION_NAMES].sort());
    expect(sendSms.startsWith("import { createRequire } from 'node:module';")).toBe(true);
    expect(sendSms).toContain('//# sourceMappingURL=index.mjs.map');
    expect(again.nodeOptions).toContain('--max-semi-space-size=1');
  });

  it('runs the handler with its own environment, a counting-down context and summed metrics', async () => {
    // Prepare
    const hosted = host(5_000);

    // Act
    const first = await hosted.invoke({ waits: 3 });
    const second = await hosted.invoke({ waits: 0 });

    // Assess
    const result = parse(first.payload);
    expect(result.fromEnv).toBe('given');
    expect(result.leaked).toBeNull();
    expect(result.functionName).toBe('probe');
    expect(result.remainingMs).toBeGreaterThan(4_000);
    expect(result.remainingMs).toBeLessThanOrEqual(5_000);
    expect(first.metrics).toEqual({ RateLimitWaits: 4 });
    expect(second.metrics).toEqual({ RateLimitWaits: 1 });
    expect([first.coldStart, second.coldStart]).toEqual([true, false]);
    expect(parse(second.payload).pid).toBe(result.pid);
    const log = await readFile(join(directory, 'functions.log'), 'utf8');
    expect(log).toContain('"RateLimitWaits":3');
  });

  it('reports a thrown error by name, and keeps the process for the next invocation', async () => {
    // Prepare
    const hosted = host(5_000);
    const warm = parse((await hosted.invoke({})).payload).pid;

    // Act
    const failed = hosted.invoke({ fail: true });

    // Assess
    await expect(failed).rejects.toMatchObject({
      name: 'FunctionInvocationError',
      errorName: 'BoomError',
      timedOut: false,
    });
    expect(parse((await hosted.invoke({})).payload).pid).toBe(warm);
  });

  it('kills an invocation that outlives the timeout; the next one starts a new process', async () => {
    // Prepare
    const hosted = host(300);
    const before = parse((await hosted.invoke({})).payload).pid;

    // Act
    const outcome = await hosted.invoke({ sleepMs: 5_000 }).catch((error: unknown) => error);
    const after = await hosted.invoke({});

    // Assess
    expect(outcome).toBeInstanceOf(FunctionInvocationError);
    expect((outcome as FunctionInvocationError).timedOut).toBe(true);
    expect(() => process.kill(before, 0)).toThrow();
    expect(after.coldStart).toBe(true);
    expect(parse(after.payload).pid).not.toBe(before);
  });

  it('runs one invocation at a time under concurrency 1, and more processes when allowed', async () => {
    // Prepare
    const serial = host(5_000, 1);
    const parallel = host(5_000, 2);

    // Act
    const serialRuns = await Promise.all([
      serial.invoke({ sleepMs: 300 }),
      serial.invoke({ sleepMs: 300 }),
    ]);
    const parallelRuns = await Promise.all([
      parallel.invoke({ sleepMs: 300 }),
      parallel.invoke({ sleepMs: 300 }),
    ]);

    // Assess
    const [a, b] = serialRuns.map((run) => parse(run.payload));
    expect(a?.pid).toBe(b?.pid);
    expect(Math.abs((a?.startedAt ?? 0) - (b?.startedAt ?? 0))).toBeGreaterThanOrEqual(290);
    const pids = new Set(parallelRuns.map((run) => parse(run.payload).pid));
    expect(pids.size).toBe(2);
  });

  it('leaves no process behind when stopped', async () => {
    // Prepare
    const hosted = host(5_000, 2);
    const pids = (
      await Promise.all([hosted.invoke({ sleepMs: 50 }), hosted.invoke({ sleepMs: 50 })])
    ).map((run) => parse(run.payload).pid);

    // Act
    await hosted.stop();

    // Assess
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    await expect(hosted.invoke({})).rejects.toMatchObject({ errorName: 'Stopped' });
  });
});
