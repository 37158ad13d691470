/**
 * Where the warm send-sms handler's time goes, step by step:
 * `npx tsx test/bench/send-latency/split.ts [dynalite|in-process] [calls]` (dynalite, 300).
 *
 * Starts the local RingCentral as the benchmark does and builds the same subjects
 * (`handlers.ts`). Inside each timed handler call it records every DynamoDB request (the
 * clients' `send`, wrapped here; by command and item kind) and the RingCentral request (undici's
 * diagnostics channels, from creation to the response headers), then prints per step its median
 * and mean per call and how often it ran, the wait from a rate-budget claim's answer to the
 * request, and the handler's time outside any I/O (middlewares, our code, waits). A diagnostic,
 * not a benchmark: it prints, judges nothing, and its wrapping costs a little itself.
 */
import diagnostics from 'node:diagnostics_channel';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { median } from '../goals.ts';
import { startEmulatorProcess } from '../support/emulator-process.ts';
import { SEND_LATENCY_EMULATOR } from './bench.ts';
import { sendSmsSubjects } from './handlers.ts';

type Interval = { step: string; from: number; to: number };

const variant = process.argv[2] === 'in-process' ? 'in-process' : 'dynalite';
const calls = Number(process.argv[3] ?? 300);
let intervals: Interval[] = [];

/** A key attribute's text, from a document or from DynamoDB's `{ S: ... }`. */
function text(value: unknown): string {
  if (value && typeof value === 'object' && 'S' in value) return String(value.S);
  return value === undefined ? '' : String(value);
}

/** `pk` up to its `#`, and the sort key unless it names one message: the kind of item. */
function itemKind(input: { Key?: Record<string, unknown>; Item?: Record<string, unknown> }) {
  const key = input.Key ?? input.Item ?? {};
  const pk = text(key.pk ?? key.id).split('#')[0];
  const sk = text(key.sk).replace(/#.*/, '#…');
  return sk === '' ? pk : `${pk} ${sk}`;
}

function timeSends(prototype: { send: (...args: never[]) => Promise<unknown> }) {
  const send = prototype.send;
  prototype.send = async function timed(this: unknown, ...args: never[]) {
    const command = args[0] as unknown as { constructor: { name: string }; input: never };
    const step = `dynamo ${command.constructor.name.replace(/Command$/, '')} ${itemKind(command.input)}`;
    const from = performance.now();
    try {
      return await send.apply(this, args);
    } finally {
      intervals.push({ step, from, to: performance.now() });
    }
  } as typeof send;
}
timeSends(DynamoDBClient.prototype as never);
timeSends(DynamoDBDocumentClient.prototype as never);
const started = new WeakMap<object, number>();
diagnostics.subscribe('undici:request:create', (message) => {
  started.set((message as { request: object }).request, performance.now());
});
diagnostics.subscribe('undici:request:headers', (message) => {
  const { request } = message as { request: { method: string; path: string } };
  const from = started.get(request);
  if (from === undefined) return;
  const step = `http ${request.method} ${request.path.replace(/\?.*/, '').replace(/\/restapi\/v1\.0/, '')}`;
  intervals.push({ step, from, to: performance.now() });
});

/** Milliseconds of `[start, end]` covered by none of the intervals. */
function outside(start: number, end: number, covered: Interval[]): number {
  let free = 0;
  let at = start;
  for (const { from, to } of [...covered].sort((a, b) => a.from - b.from)) {
    if (from > at) free += Math.min(from, end) - at;
    at = Math.max(at, to);
    if (at >= end) break;
  }
  return free + Math.max(0, end - at);
}

const emulator = await startEmulatorProcess({ options: SEND_LATENCY_EMULATOR });
try {
  const subjects = await sendSmsSubjects({
    server: emulator.url,
    credentials: emulator.credentials,
    from: emulator.facts.ownerSmsNumber,
    to: emulator.facts.otherSmsNumber,
  });
  const subject = variant === 'in-process' ? subjects.handler : subjects.handlerDynamo;
  const bare: number[] = [];
  const perCall: Array<Map<string, { ms: number; count: number }>> = [];
  for (let index = 0; index < 50 + calls; index += 1) {
    const bareCall = subjects.bareKy();
    const bareFrom = performance.now();
    await bareCall();
    const handlerCall = subject();
    intervals = [];
    const from = performance.now();
    await handlerCall();
    const to = performance.now();
    // Work the handler started and did not wait for (e.g. learning from headers) is not its time.
    const inside = intervals.filter((interval) => interval.to <= to);
    if (index < 50) continue;
    bare.push(from - bareFrom);
    const steps = new Map<string, { ms: number; count: number }>();
    const add = (step: string, ms: number, count = 1) => {
      const known = steps.get(step) ?? { ms: 0, count: 0 };
      steps.set(step, { ms: known.ms + ms, count: known.count + count });
    };
    for (const interval of inside) add(interval.step, interval.to - interval.from);
    const request = inside.find((interval) => interval.step.startsWith('http'));
    const claim = inside.findLast(
      (interval) => interval.step.includes('ratebudget') && interval.to <= (request?.from ?? 0),
    );
    if (claim && request)
      add('wait: from the budget answer to the request', request.from - claim.to);
    add('outside any I/O (middlewares, our code, waits)', outside(from, to, inside), 0);
    add('total', to - from, 0);
    perCall.push(steps);
  }
  const lines = [
    `send-sms handler (${variant}), ${calls} warm calls; bare ky median ${median(bare).toFixed(2)} ms`,
  ];
  const names = new Set(perCall.flatMap((steps) => [...steps.keys()]));
  for (const name of [...names].sort()) {
    const ms = perCall.map((steps) => steps.get(name)?.ms ?? 0);
    const count = perCall.reduce((sum, steps) => sum + (steps.get(name)?.count ?? 0), 0);
    const mean = ms.reduce((sum, value) => sum + value, 0) / calls;
    lines.push(
      `${name.padEnd(56)} median ${median(ms).toFixed(2).padStart(6)} ms  mean ${mean.toFixed(2).padStart(6)} ms  ${count > 0 ? `${(count / calls).toFixed(2)} per call` : ''}`,
    );
  }
  process.stderr.write(`${lines.join('\n')}\n`);
  await subjects.stop();
} finally {
  await emulator.stop();
}
