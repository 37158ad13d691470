/**
 * Child process of the send-sms latency benchmark: builds the subjects (`handlers.ts`) and times
 * warm handler invocations against bare ky calls to the same RingCentral endpoint, interleaved.
 */
import { runAsChild } from '../support/child-process.ts';
import type { BenchCredentials } from '../support/emulator-process.ts';
import { type PreparedCall, sendSmsSubjects } from './handlers.ts';

/** What the parent sends. */
export interface SendLatencyInput {
  server: string;
  credentials: BenchCredentials;
  from: string;
  to: string;
  warmup: number;
  iterations: number;
}

/** Milliseconds per call of each variant, in the order measured. */
export interface SendLatencyResult {
  bareKyMs: number[];
  /**
   * The deployed handler with all its state-table I/O in-process: idempotency records, the
   * shared rate budget, the sender ledger and the status watch.
   */
  handlerMs: number[];
  /** The deployed handler with all of that in dynalite (local DynamoDB), as deployed. */
  handlerDynamoMs: number[];
  /** Handler statuses other than 202 (should stay empty). */
  failures: number[];
}

runAsChild<SendLatencyInput, SendLatencyResult>(async (input) => {
  const subjects = await sendSmsSubjects(input);
  const time = async (prepare: PreparedCall) => {
    const call = prepare();
    const started = performance.now();
    await call();
    return performance.now() - started;
  };

  for (let index = 0; index < input.warmup; index += 1) {
    await time(subjects.bareKy);
    await time(subjects.handler);
    await time(subjects.handlerDynamo);
  }
  subjects.failures.length = 0;
  const series = {
    bareKyMs: [] as number[],
    handlerMs: [] as number[],
    handlerDynamoMs: [] as number[],
  };
  const calls = [
    { call: subjects.bareKy, into: series.bareKyMs },
    { call: subjects.handler, into: series.handlerMs },
    { call: subjects.handlerDynamo, into: series.handlerDynamoMs },
  ];
  for (let index = 0; index < input.iterations; index += 1) {
    // Rotate which goes first so none always meets a freshly used connection.
    for (let offset = 0; offset < calls.length; offset += 1) {
      const { call, into } = calls[(index + offset) % calls.length]!;
      into.push(await time(call));
    }
  }
  await subjects.stop();
  return { ...series, failures: [...subjects.failures] };
});
