/**
 * The one report object a purge run writes to S3 (`reports/purge/{yyyy}/{mm}/{dd}/{runId}.json`):
 * what was deleted, what was skipped and why, what RingCentral refused (207 partial failures),
 * counts, and whether it was a dry run. Message content never appears in it, only ids, types,
 * times and keys.
 */
import { purgeReportKey } from '../archive/layout.ts';
import type { ObjectStore } from '../archive/ports.ts';
import type { PurgeCutoffs, RetentionDays } from './candidates.ts';
import type { PlannedDeletion, PlannedSkip } from './plan.ts';

/** The report schema version. */
export const PURGE_REPORT_SCHEMA_VERSION = 1;

/** A deleted (or, in a dry run, deletable) message. */
export interface PurgeReportDeletion extends PlannedDeletion {
  /** The configured extension (`~` or an id) it was listed under. */
  extension: string;
}

/** A skipped candidate. */
export interface PurgeReportSkip extends PlannedSkip {
  extension: string;
}

/** A verified message RingCentral did not delete. */
export interface PurgeReportFailure {
  id: string;
  extension: string;
  /** HTTP status of its part of the 207, or of the whole request; absent without a response. */
  status?: number;
  errorCode?: string;
  message: string;
}

/** How one configured extension went. */
export interface PurgeReportExtension {
  extension: string;
  /** The archive cursor's syncTime the cutoffs were capped by. */
  cursorSyncTime?: string;
  cutoffs: PurgeCutoffs;
  candidates: number;
  listingRequests: number;
  deleteRequests: number;
  /** True when the candidate limit left messages for the next run. */
  truncated: boolean;
  /** Why the extension was not (fully) processed. */
  stopped?: 'no-archive-cursor' | 'deadline' | 'error';
  error?: string;
}

/** The report document. */
export interface PurgeReport {
  schemaVersion: typeof PURGE_REPORT_SCHEMA_VERSION;
  runId: string;
  startedAt: string;
  finishedAt: string;
  /** Nothing was deleted: `wouldDelete` lists what would have been. */
  dryRun: boolean;
  /** `purge=true`: deleted messages skip RingCentral's Deleted state. */
  hardPurge: boolean;
  retentionDays: RetentionDays;
  /** False when the deadline, an error or the candidate limit left work for the next run. */
  complete: boolean;
  extensions: PurgeReportExtension[];
  deleted: PurgeReportDeletion[];
  wouldDelete: PurgeReportDeletion[];
  skipped: PurgeReportSkip[];
  failed: PurgeReportFailure[];
  counts: {
    candidates: number;
    verified: number;
    deleted: number;
    wouldDelete: number;
    skipped: number;
    failed: number;
  };
  /** RingCentral requests the run made (after client retries, each counted once). */
  requests: { listing: number; delete: number };
}

/** Counts derived from the lists, so they can never disagree with them. */
export function countReport(report: Omit<PurgeReport, 'counts'>): PurgeReport['counts'] {
  const verified = report.deleted.length + report.wouldDelete.length + report.failed.length;
  return {
    candidates: report.extensions.reduce((sum, extension) => sum + extension.candidates, 0),
    verified,
    deleted: report.deleted.length,
    wouldDelete: report.wouldDelete.length,
    skipped: report.skipped.length,
    failed: report.failed.length,
  };
}

/** Writes the report under its key and returns the key; every id in it is already a string. */
export async function writePurgeReport(
  store: Pick<ObjectStore, 'put'>,
  report: PurgeReport,
): Promise<string> {
  const key = purgeReportKey(report.startedAt, report.runId);
  await store.put(key, `${JSON.stringify(report, null, 2)}\n`, { contentType: 'application/json' });
  return key;
}
