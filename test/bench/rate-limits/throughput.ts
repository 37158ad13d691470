import type { RequestRecord, WorkloadGroup } from './workload.ts';

/** How much of a group's limit a run sustained. */
export interface GroupThroughput {
  group: WorkloadGroup;
  limit: number;
  windowMs: number;
  /** Requests of this group that succeeded. */
  completed: number;
  /** Completions per steady window, in order. */
  perWindow: number[];
  /** Mean completions per steady window. */
  meanPerWindow: number;
  /** meanPerWindow / limit, in percent; 0 when the run had no steady window. */
  percentOfLimit: number;
}

/**
 * Cuts the group's run into windows starting at its first request, drops the first window (the
 * opening burst fills it) and the last, partial one (the queue ran dry), and averages the
 * completions per remaining window against the limit.
 */
export function measureThroughput(
  records: readonly RequestRecord[],
  group: WorkloadGroup,
  limit: number,
  windowMs: number,
): GroupThroughput {
  const ofGroup = records.filter((record) => record.group === group);
  const completedAt = ofGroup.filter((record) => record.ok).map((record) => record.endedAt);
  const empty = {
    group,
    limit,
    windowMs,
    completed: completedAt.length,
    perWindow: [],
    meanPerWindow: 0,
    percentOfLimit: 0,
  };
  if (ofGroup.length === 0 || completedAt.length === 0) return empty;
  const start = Math.min(...ofGroup.map((record) => record.startedAt));
  const last = Math.max(...completedAt);
  const windows = Math.floor((last - start) / windowMs);
  if (windows < 2) return empty;
  const perWindow = new Array<number>(windows - 1).fill(0);
  for (const at of completedAt) {
    const index = Math.floor((at - start) / windowMs);
    if (index >= 1 && index < windows) perWindow[index - 1] = (perWindow[index - 1] ?? 0) + 1;
  }
  const meanPerWindow = perWindow.reduce((sum, count) => sum + count, 0) / perWindow.length;
  return {
    group,
    limit,
    windowMs,
    completed: completedAt.length,
    perWindow,
    meanPerWindow,
    percentOfLimit: (meanPerWindow / limit) * 100,
  };
}
