import type { EmulatorFacts } from '../support/emulator-process.ts';

/** The usage-plan groups the workload exercises (Auth is only the login). */
export type WorkloadGroup = 'Light' | 'Medium' | 'Heavy';

/** One kind of request of the mixed workload. */
export type WorkloadOperation =
  | 'listMessages'
  | 'readMessage'
  | 'syncMessages'
  | 'sendSms'
  | 'sendPager'
  | 'updateMessage'
  | 'readExportTask';

/** Which group each operation is billed to (the spec's `x-throttling-group`). */
export const GROUP_OF: Readonly<Record<WorkloadOperation, WorkloadGroup>> = {
  listMessages: 'Light',
  readMessage: 'Light',
  syncMessages: 'Light',
  sendSms: 'Medium',
  sendPager: 'Medium',
  updateMessage: 'Medium',
  readExportTask: 'Heavy',
};

const OPERATIONS_BY_GROUP: Readonly<Record<WorkloadGroup, readonly WorkloadOperation[]>> = {
  Light: ['listMessages', 'readMessage', 'syncMessages'],
  Medium: ['sendSms', 'sendPager', 'updateMessage'],
  Heavy: ['readExportTask'],
};

/** RingCentral's default limits per 60 s window, which the emulator applies (scaled). */
export const GROUP_LIMITS: Readonly<Record<WorkloadGroup, number>> = {
  Light: 50,
  Medium: 40,
  Heavy: 10,
};

/** What operations need to address: the mailbox facts and an export task made in preparation. */
export interface WorkloadTarget {
  facts: EmulatorFacts;
  exportTaskId: string;
}

/** One client under test: the real client or the naive one, behind the same operations. */
export interface WorkloadClient {
  /** Creates what operations refer to (an export task); counts toward the budget like any call. */
  prepare(facts: EmulatorFacts): Promise<WorkloadTarget>;
  perform(operation: WorkloadOperation, target: WorkloadTarget, sequence: number): Promise<void>;
  /** 429 responses this client saw (the server's own count is the truth; this is the client's view). */
  tooManyRequestsSeen(): number;
  close(): Promise<void>;
}

/** The record of one request of the workload, timestamps in epoch ms (comparable across processes). */
export interface RequestRecord {
  group: WorkloadGroup;
  operation: WorkloadOperation;
  startedAt: number;
  endedAt: number;
  ok: boolean;
  error?: string;
}

/**
 * Splits `total` requests over the groups in proportion to their limits, so every group stays
 * saturated for about the same time, cycling through each group's operations.
 */
export function planWorkload(total: number): Record<WorkloadGroup, WorkloadOperation[]> {
  const sum = GROUP_LIMITS.Light + GROUP_LIMITS.Medium + GROUP_LIMITS.Heavy;
  const plan = {} as Record<WorkloadGroup, WorkloadOperation[]>;
  let assigned = 0;
  const groups: WorkloadGroup[] = ['Light', 'Medium', 'Heavy'];
  for (const [index, group] of groups.entries()) {
    const count =
      index === groups.length - 1
        ? total - assigned
        : Math.round((total * GROUP_LIMITS[group]) / sum);
    assigned += count;
    const kinds = OPERATIONS_BY_GROUP[group];
    plan[group] = Array.from(
      { length: count },
      (_, n) => kinds[n % kinds.length] as WorkloadOperation,
    );
  }
  return plan;
}

/** Options of {@link runWorkload}. */
export interface RunWorkloadOptions {
  /** Requests in flight per group at most. */
  concurrencyPerGroup: number;
  /** Stop taking new requests after this time (epoch ms); the rest count as not done. */
  stopAt?: number;
  /** Called with the records so far, every `progressEveryMs`. */
  onProgress?: (records: readonly RequestRecord[]) => void;
  progressEveryMs?: number;
}

/**
 * Runs the planned requests, each group from its own queue with a few workers, all groups at
 * once (a mixed workload). Failures are recorded, not thrown: the run goes on.
 */
export async function runWorkload(
  client: WorkloadClient,
  target: WorkloadTarget,
  plan: Record<WorkloadGroup, WorkloadOperation[]>,
  options: RunWorkloadOptions,
): Promise<RequestRecord[]> {
  const records: RequestRecord[] = [];
  let sequence = 0;
  const worker = async (group: WorkloadGroup, queue: WorkloadOperation[]) => {
    for (let operation = queue.shift(); operation; operation = queue.shift()) {
      if (options.stopAt !== undefined && Date.now() >= options.stopAt) return;
      const startedAt = Date.now();
      try {
        await client.perform(operation, target, sequence++);
        records.push({ group, operation, startedAt, endedAt: Date.now(), ok: true });
      } catch (error) {
        records.push({
          group,
          operation,
          startedAt,
          endedAt: Date.now(),
          ok: false,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
      }
    }
  };
  const workers: Promise<void>[] = [];
  for (const group of ['Light', 'Medium', 'Heavy'] as const) {
    const queue = [...plan[group]];
    for (let index = 0; index < options.concurrencyPerGroup; index++)
      workers.push(worker(group, queue));
  }
  const progress = options.onProgress
    ? setInterval(() => options.onProgress?.(records), options.progressEveryMs ?? 2_000)
    : undefined;
  try {
    await Promise.all(workers);
  } finally {
    clearInterval(progress);
  }
  return records;
}
