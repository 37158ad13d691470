/**
 * The backfill's progress: the snapshot it emits (the command line draws it) and the tracker
 * that computes one from what the run has done so far.
 */

/** Where the backfill is. */
export type BackfillPhase = 'exporting' | 'downloading' | 'listing' | 'finishing' | 'done';

/** What the backfill has done so far. */
export interface BackfillProgress {
  phase: BackfillPhase;
  /** A short note on the phase (the export task's status, the fallback reason). */
  detail?: string;
  messagesDone: number;
  /** Unknown while listing (RingCentral does not say how many pages follow). */
  messagesTotal: number | undefined;
  /** Bytes read from export archives or attachment downloads (plus archives already done). */
  bytesDone: number;
  bytesTotal: number | undefined;
  /** Milliseconds since the backfill started. */
  elapsedMs: number;
  /** Bytes per second over this run. */
  bytesPerSecond: number;
  /** Estimated milliseconds left, when totals are known. */
  etaMs: number | undefined;
}

/** The counters of a run the progress is computed from. */
export interface ProgressCounters {
  mode: 'export' | 'list';
  messagesTotal: number;
  messagesArchived: number;
  messagesUnchanged: number;
  bytesDownloaded: number;
}

/** Tracks a run's phase and byte totals, and emits snapshots. */
export interface ProgressTracker {
  /** Enters a phase (the detail stays unless a new one is given). */
  enter(phase: BackfillPhase): void;
  /** Sets (or, with undefined, clears) the note on the phase. */
  note(detail: string | undefined): void;
  /** The bytes all archives hold. */
  expectBytes(total: number): void;
  /** Counts bytes of archives an earlier run already stored. */
  credit(bytes: number): void;
  /** Emits a snapshot, if anyone listens. */
  report(): void;
}

/** Starts tracking the progress of a run that started at `started`. */
export function createProgressTracker(
  counters: ProgressCounters,
  options: {
    started: number;
    now: () => number;
    onProgress?: (progress: BackfillProgress) => void;
  },
): ProgressTracker {
  const { started, now, onProgress } = options;
  let phase: BackfillPhase = 'exporting';
  let detail: string | undefined;
  let bytesTotal: number | undefined;
  let bytesCredited = 0;
  return {
    enter: (next) => {
      phase = next;
    },
    note: (next) => {
      detail = next;
    },
    expectBytes: (total) => {
      bytesTotal = total;
    },
    credit: (bytes) => {
      bytesCredited += bytes;
    },
    report() {
      if (!onProgress) return;
      const elapsedMs = Math.max(1, now() - started);
      const bytesDone = bytesCredited + counters.bytesDownloaded;
      const bytesPerSecond = (counters.bytesDownloaded * 1000) / elapsedMs;
      const etaMs =
        bytesTotal !== undefined && bytesPerSecond > 0
          ? (Math.max(0, bytesTotal - bytesDone) / bytesPerSecond) * 1000
          : undefined;
      onProgress({
        phase,
        ...(detail ? { detail } : {}),
        messagesDone: counters.messagesArchived + counters.messagesUnchanged,
        messagesTotal:
          counters.mode === 'list' && phase !== 'done' ? undefined : counters.messagesTotal,
        bytesDone,
        bytesTotal,
        elapsedMs,
        bytesPerSecond,
        etaMs: phase === 'done' ? 0 : etaMs,
      });
    },
  };
}
