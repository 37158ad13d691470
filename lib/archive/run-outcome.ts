/**
 * What went wrong in one run of the archive or the backfill: the messages that failed, and
 * whether (and why) the run was interrupted. An interruption (the deadline, the job's signal, a
 * checkpoint) is not a failure: the next run resumes where this one stopped. Every step of a run
 * hands its errors here instead of deciding for itself which kind each one is.
 */
import { AbortedError, DeadlineExceededError } from '../ringcentral/index.ts';

/** The deadline and signal of a run (the job's). */
export interface ArchiveCallOptions {
  /** Epoch ms by which the run must have stopped. */
  deadline: number;
  signal?: AbortSignal;
}

/** One message that could not be archived in this run. */
export interface ArchiveFailure {
  messageId: string;
  error: string;
}

/** The run ran out of time inside a message: not a failure, the next run resumes. */
export class StopAtCheckpoint extends Error {
  override readonly name = 'StopAtCheckpoint';
}

/** The outcome's part of a run's result. */
export interface RunOutcomeResult {
  /** The run stopped at a checkpoint (or was interrupted) before its end. */
  stoppedAtDeadline: boolean;
  /** What stopped it (the interrupting error, or the checkpoint), for logs. */
  stopReason?: string;
  failures: ArchiveFailure[];
}

/** Records a run's interruptions and failures; see the module comment. */
export interface RunOutcome {
  /** The run's deadline and signal. */
  readonly call: ArchiveCallOptions;
  /** Whether this error stops the run rather than failing one message. */
  isInterruption(error: unknown): boolean;
  /** Records that the run stopped; the first reason given is the one kept. */
  interrupt(reason: unknown): void;
  recordFailure(messageId: string, error: unknown): void;
  /** Interrupts on an interruption, otherwise records `messageId` as failed. */
  settle(messageId: string, error: unknown): void;
  /** Throws {@link StopAtCheckpoint} when the deadline is within the margin. */
  checkpoint(): void;
  /** No new message should start: interrupted, aborted or within the margin of the deadline. */
  shouldStop(): boolean;
  readonly interrupted: boolean;
  readonly failed: boolean;
  result(): RunOutcomeResult;
}

/** Options of {@link createRunOutcome}. */
export interface RunOutcomeOptions {
  now: () => number;
  /** No new message is started with less than this left before the deadline. */
  checkpointMarginMs: number;
}

/** Error name and message (bounded) for logs and reports; never message content. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500);
  return String(error).slice(0, 500);
}

/** Starts recording the outcome of one run. */
export function createRunOutcome(call: ArchiveCallOptions, options: RunOutcomeOptions): RunOutcome {
  const { now, checkpointMarginMs } = options;
  const failures: ArchiveFailure[] = [];
  let interrupted = false;
  let stopReason: string | undefined;
  const nearDeadline = () => now() >= call.deadline - checkpointMarginMs;
  const outcome: RunOutcome = {
    call,
    isInterruption(error) {
      if (error instanceof DeadlineExceededError || error instanceof AbortedError) return true;
      if (error instanceof StopAtCheckpoint) return true;
      if (call.signal?.aborted) return true;
      // S3/SDK aborts surface as AbortError; past the deadline anything is an interruption.
      return (error instanceof Error && error.name === 'AbortError') || now() >= call.deadline;
    },
    interrupt(reason) {
      interrupted = true;
      stopReason ??= typeof reason === 'string' ? reason : describeError(reason);
    },
    recordFailure(messageId, error) {
      failures.push({ messageId, error: describeError(error) });
    },
    settle(messageId, error) {
      if (outcome.isInterruption(error)) outcome.interrupt(error);
      else outcome.recordFailure(messageId, error);
    },
    checkpoint() {
      if (nearDeadline()) throw new StopAtCheckpoint('Deadline near');
    },
    shouldStop: () => interrupted || nearDeadline() || call.signal?.aborted === true,
    get interrupted() {
      return interrupted;
    },
    get failed() {
      return failures.length > 0;
    },
    result: () => ({
      stoppedAtDeadline: interrupted,
      ...(stopReason !== undefined ? { stopReason } : {}),
      failures: [...failures],
    }),
  };
  return outcome;
}
