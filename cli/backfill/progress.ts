/**
 * The backfill's progress (the snapshot lib/backfill emits) drawn by a reporter as a
 * one-line bar on a terminal (redrawn in place) or as plain lines, at most one every few seconds,
 * when the output is a file or a pipe.
 */

import type { BackfillPhase, BackfillProgress } from '../../lib/backfill/progress.ts';

export type { BackfillPhase, BackfillProgress } from '../../lib/backfill/progress.ts';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** `1536` -> `1.5 KB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? Math.round(value) : value.toFixed(1)} ${UNITS[unit]}`;
}

/** `125_000` -> `2m05s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = String(seconds % 60).padStart(2, '0');
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m${rest}s`;
  if (minutes > 0) return `${minutes}m${rest}s`;
  return `${seconds % 60}s`;
}

/**
 * While RingCentral builds the export nothing moves: the line says what the run waits for (the
 * task's status), for how long, and what ends the wait, instead of `0/0 messages ... ETA -`.
 */
function formatExportWait(progress: BackfillProgress): string {
  return `[exporting] waiting ${formatDuration(progress.elapsedMs)} for RingCentral to build the export (${progress.detail ?? 'creating the export task'}); downloads start when it is Completed, minutes for a large account`;
}

/** The progress as one line: `[#####-----]  42%  120/300 messages  1.2/3.0 MB  2.1 MB/s  ETA 1s`. */
export function formatProgress(progress: BackfillProgress, barWidth = 24): string {
  if (progress.phase === 'exporting' && progress.bytesDone === 0 && progress.messagesDone === 0) {
    return formatExportWait(progress);
  }
  const fraction =
    progress.bytesTotal && progress.bytesTotal > 0
      ? Math.min(1, progress.bytesDone / progress.bytesTotal)
      : progress.messagesTotal && progress.messagesTotal > 0
        ? Math.min(1, progress.messagesDone / progress.messagesTotal)
        : undefined;
  const parts: string[] = [];
  if (fraction !== undefined) {
    const filled = Math.round(fraction * barWidth);
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`);
    parts.push(`${String(Math.floor(fraction * 100)).padStart(3)}%`);
  } else {
    parts.push(`[${progress.phase}]`);
  }
  parts.push(
    `${progress.messagesDone}${progress.messagesTotal !== undefined ? `/${progress.messagesTotal}` : ''} messages`,
  );
  parts.push(
    `${formatBytes(progress.bytesDone)}${progress.bytesTotal !== undefined ? `/${formatBytes(progress.bytesTotal)}` : ''}`,
  );
  parts.push(`${formatBytes(progress.bytesPerSecond)}/s`);
  parts.push(progress.etaMs !== undefined ? `ETA ${formatDuration(progress.etaMs)}` : 'ETA -');
  if (progress.detail) parts.push(`(${progress.detail})`);
  return parts.join('  ');
}

/** Where the reporter writes. */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of {@link createProgressReporter}. */
export interface ProgressReporterOptions {
  /** Plain lines at most this often when not a TTY (default 5 s); a phase change always prints. */
  plainIntervalMs?: number;
  /** Redraws at most this often on a TTY (default 100 ms). */
  ttyIntervalMs?: number;
  now?: () => number;
}

/** Draws progress snapshots; `finish` ends the bar line. */
export interface ProgressReporter {
  update(progress: BackfillProgress): void;
  finish(progress?: BackfillProgress): void;
}

/** A bar redrawn in place on a TTY, or plain lines (rate-limited) otherwise. */
export function createProgressReporter(
  output: ProgressOutput,
  options: ProgressReporterOptions = {},
): ProgressReporter {
  const now = options.now ?? Date.now;
  const tty = output.isTTY === true;
  const interval = tty ? (options.ttyIntervalMs ?? 100) : (options.plainIntervalMs ?? 5_000);
  let lastAt = Number.NEGATIVE_INFINITY;
  let lastPhase: BackfillPhase | undefined;
  let drawn = false;
  const draw = (progress: BackfillProgress) => {
    const line = formatProgress(progress);
    if (tty) {
      const width = Math.max(20, (output.columns ?? 120) - 1);
      output.write(`\r\u001b[2K${line.slice(0, width)}`);
      drawn = true;
    } else {
      output.write(`${line}\n`);
    }
  };
  return {
    update(progress) {
      const at = now();
      if (progress.phase === lastPhase && at - lastAt < interval) return;
      lastAt = at;
      lastPhase = progress.phase;
      draw(progress);
    },
    finish(progress) {
      if (progress) draw(progress);
      if (tty && (drawn || progress)) output.write('\n');
    },
  };
}
