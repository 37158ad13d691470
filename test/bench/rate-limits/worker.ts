/**
 * Child process: one client running the mixed workload against the emulator. Reports every
 * request's timing so the parent can measure throughput per window across processes.
 */
import { runAsChild, sendToParent } from '../support/child-process.ts';
import type { BenchCredentials, EmulatorFacts } from '../support/emulator-process.ts';
import { createNaiveClient } from '../support/naive-client.ts';
import { createPacedClient } from '../support/paced-client.ts';
import { planWorkload, type RequestRecord, runWorkload, type WorkloadClient } from './workload.ts';

/** What the parent sends. */
export interface WorkerInput {
  client: 'paced' | 'naive';
  server: string;
  mediaServer: string;
  credentials: BenchCredentials;
  facts: EmulatorFacts;
  /** Requests this worker sends. */
  total: number;
  concurrencyPerGroup: number;
  /** The emulator's window scale, so the paced client's first guesses match the scaled windows. */
  windowScale: number;
  /** Epoch ms at which every worker starts sending, so several workers begin together. */
  startAt: number;
  /** Epoch ms after which no new request is started (the naive client can take forever). */
  stopAt?: number;
}

/** What the worker reports. */
export interface WorkerResult {
  records: RequestRecord[];
  tooManyRequestsSeen: number;
  setupMs: number;
  unfinished: number;
}

runAsChild<WorkerInput, WorkerResult>(async (input) => {
  const setupStartedAt = Date.now();
  const client: WorkloadClient =
    input.client === 'paced'
      ? await createPacedClient({
          server: input.server,
          mediaServer: input.mediaServer,
          credentials: input.credentials,
          windowScale: input.windowScale,
        })
      : await createNaiveClient({
          server: input.server,
          credentials: input.credentials,
          ...(input.stopAt === undefined ? {} : { abortAt: input.stopAt + 5_000 }),
        });
  try {
    const target = await client.prepare(input.facts);
    const setupMs = Date.now() - setupStartedAt;
    const delay = input.startAt - Date.now();
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const plan = planWorkload(input.total);
    const records = await runWorkload(client, target, plan, {
      concurrencyPerGroup: input.concurrencyPerGroup,
      ...(input.stopAt === undefined ? {} : { stopAt: input.stopAt }),
      // Progress lets the parent show where a stuck run stands.
      onProgress: (done) =>
        sendToParent({
          type: 'progress',
          done: done.length,
          failed: done.filter((record) => !record.ok).length,
          tooManyRequestsSeen: client.tooManyRequestsSeen(),
        }),
    });
    return {
      records,
      tooManyRequestsSeen: client.tooManyRequestsSeen(),
      setupMs,
      unfinished: input.total - records.length,
    };
  } finally {
    await client.close();
  }
});
