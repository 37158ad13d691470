/**
 * The child-process side of the local Lambda runtime: one process hosts one function bundle, as a
 * Lambda execution environment does. It imports the bundle once (the cold start), then runs one
 * invocation at a time on request over IPC, with a Lambda-like context whose remaining time
 * counts down from the function's timeout. It also reads the function's own output: CloudWatch
 * embedded-metric lines are summed per invocation, so the stack can print what a run did.
 *
 * Run with `node worker.mjs <bundle.mjs> <function name>`; bundled by local/stack/bundles.ts.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

/** A request from the host. */
export interface InvokeMessage {
  type: 'invoke';
  requestId: string;
  event: unknown;
  /** The function's timeout; the context's remaining time starts there. */
  timeoutMs: number;
}

/** The outcome of one invocation, sent back to the host. */
export type WorkerReply =
  | { type: 'ready'; initMs: number }
  | { type: 'init-error'; error: { name: string; message: string } }
  | {
      type: 'result';
      requestId: string;
      ok: true;
      /** The handler's return value, serialised as Lambda does (JSON), or undefined. */
      payload: string | undefined;
      metrics: Record<string, number>;
    }
  | {
      type: 'result';
      requestId: string;
      ok: false;
      error: { name: string; message: string };
      metrics: Record<string, number>;
    };

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const [bundle = '', functionName = 'function'] = process.argv.slice(2);
let current: Record<string, number> | undefined;

function send(message: WorkerReply): void {
  process.send?.(message);
}

/** Adds the metrics of one EMF line (`{"_aws": {...}, "Name": value}`) to the current run. */
function collectMetrics(line: string): void {
  if (!current || !line.startsWith('{') || !line.includes('"_aws"')) return;
  try {
    const record = JSON.parse(line) as Record<string, unknown> & {
      _aws?: { CloudWatchMetrics?: Array<{ Metrics?: Array<{ Name: string }> }> };
    };
    for (const group of record._aws?.CloudWatchMetrics ?? []) {
      for (const { Name } of group.Metrics ?? []) {
        const value = record[Name];
        const values = Array.isArray(value) ? value : [value];
        for (const item of values) {
          if (typeof item === 'number') current[Name] = (current[Name] ?? 0) + item;
        }
      }
    }
  } catch {
    // Not a metrics line after all.
  }
}

const write = process.stdout.write.bind(process.stdout);
let pending = '';
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  let newline = pending.indexOf('\n');
  while (newline >= 0) {
    collectMetrics(pending.slice(0, newline));
    pending = pending.slice(newline + 1);
    newline = pending.indexOf('\n');
  }
  return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

function errorOf(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}

function contextOf(requestId: string, timeoutMs: number) {
  const endsAt = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION ?? 'us-east-1'}:000000000000:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, endsAt - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

// The host going away (Ctrl+C, a crash) must not leave this process behind.
process.on('disconnect', () => process.exit(0));
// Ctrl+C reaches the whole process group; the host decides when this process ends (SIGTERM).
process.on('SIGINT', () => undefined);

const initStarted = performance.now();
let handler: Handler;
try {
  const module = (await import(pathToFileURL(bundle).href)) as { handler?: Handler };
  if (typeof module.handler !== 'function') throw new TypeError(`${bundle} exports no handler`);
  handler = module.handler;
  send({ type: 'ready', initMs: performance.now() - initStarted });
} catch (error) {
  send({ type: 'init-error', error: errorOf(error) });
  process.exit(1);
}

process.on('message', (raw) => {
  const message = raw as InvokeMessage;
  if (message.type !== 'invoke') return;
  current = {};
  const metrics = current;
  handler(message.event, contextOf(message.requestId, message.timeoutMs)).then(
    (value) => {
      current = undefined;
      send({
        type: 'result',
        requestId: message.requestId,
        ok: true,
        payload: value === undefined ? undefined : JSON.stringify(value),
        metrics,
      });
    },
    (error: unknown) => {
      current = undefined;
      send({
        type: 'result',
        requestId: message.requestId,
        ok: false,
        error: errorOf(error),
        metrics,
      });
    },
  );
});
