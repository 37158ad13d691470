/**
 * The defaults of the archive, backfill and purge jobs, each in one place. Free of CDK and of the
 * runtime, so the functions, lib, the command line, the stack's configuration and `npm start` all
 * read the same values instead of retyping them.
 */

/** Defaults of archiving (the archive function and the backfill). */
export const ARCHIVE_DEFAULTS = {
  /** Messages archived at once. */
  concurrency: 4,
  /** No new message is started with less than this many ms left before the deadline. */
  checkpointMarginMs: 1_500,
  /** Share of the Medium group's window left to interactive sends (downloads are Medium). */
  mediumReserve: 0.3,
  /** FSync start on the first run and after MSG-333; purge lists no older. */
  startDate: '2000-01-01T00:00:00Z',
} as const;

/** Defaults of purging. */
export const PURGE_DEFAULTS = {
  /** Report only, until an operator turns deleting on. */
  dryRun: true,
  /** `purge=true` on the DELETE (skip RingCentral's Deleted state). */
  hardPurge: false,
  /** Candidates per extension and run (the rest wait for the next run). */
  maxCandidatesPerExtension: 10_000,
  /** Messages verified at once. */
  verifyConcurrency: 16,
  /** Oldest creation time a run lists when none is configured. */
  dateFrom: '1970-01-01T00:00:00.000Z',
  /** Time kept free before the deadline for writing the report. */
  reportReserveMs: 5_000,
  /** Time before that at which verification stops, so proven ids still get deleted. */
  deleteReserveMs: 3_000,
} as const;
