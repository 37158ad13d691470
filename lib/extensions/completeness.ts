/**
 * Completeness you can prove: over EVERY archived extension that is not gone (not only the ones a
 * run visited), how old the oldest complete archive is, which extensions are behind, which are
 * failing. Pure: the registry's entries and a clock in, a report and the metrics out. The
 * `Archive Behind` / `Archive Caught Up` events are sent on transitions only (the state kept in
 * the table by {@link CompletenessAlarmStore}), so a lasting backlog raises one event, not one
 * per dispatch.
 */

import type { ExtensionEntry } from './ports.ts';
import { archivedThrough, isArchivedAndPresent } from './schedule.ts';

/** The metric names (namespace and `service` dimension as every function's). */
export const CompletenessMetric = {
  /** Alarmed: seconds since the oldest complete archive of any archived, present extension. */
  oldestCompleteArchiveAge: 'OldestCompleteArchiveAgeSeconds',
  complete: 'ExtensionsComplete',
  behind: 'ExtensionsBehind',
  failing: 'ExtensionsFailing',
} as const;

/** The EventBridge detail-types of the behind alarm. */
export const CompletenessEvent = {
  behind: 'Archive Behind',
  caughtUp: 'Archive Caught Up',
} as const;

/** Extensions named in one event; the rest are counted. */
export const LISTED_IN_EVENT = 50;

/** One extension as an alarm names it. */
export interface NamedExtension {
  id: string;
  extensionNumber?: string;
  name?: string;
  /** Seconds since its archive was last complete (since first seen when never). */
  lagSeconds: number;
  /** The error that keeps it failing, when it is failing. */
  error?: string;
}

/** What the registry says about completeness. */
export interface CompletenessReport {
  /** Archived, present extensions. */
  archived: number;
  /** Complete within the threshold and not failing. */
  complete: number;
  /** Not yet complete once, not failing, and not over the threshold yet. */
  pending: number;
  /** Over the threshold, most behind first. */
  behind: NamedExtension[];
  /** With a lastError or permissionError. */
  failing: NamedExtension[];
  /** Max lag over archived, present extensions (0 when there is none). */
  oldestCompleteArchiveAgeSeconds: number;
}

/** Options of {@link assessCompleteness}. */
export interface CompletenessOptions {
  now: number;
  /** An extension whose archive is older than this is behind. */
  behindThresholdSeconds: number;
}

function named(entry: ExtensionEntry, lagSeconds: number, error?: string): NamedExtension {
  return {
    id: entry.id,
    ...(entry.extensionNumber ? { extensionNumber: entry.extensionNumber } : {}),
    ...(entry.name ? { name: entry.name } : {}),
    lagSeconds,
    ...(error ? { error } : {}),
  };
}

/** Assesses every entry of the registry. */
export function assessCompleteness(
  entries: Iterable<ExtensionEntry>,
  options: CompletenessOptions,
): CompletenessReport {
  const report: CompletenessReport = {
    archived: 0,
    complete: 0,
    pending: 0,
    behind: [],
    failing: [],
    oldestCompleteArchiveAgeSeconds: 0,
  };
  for (const entry of entries) {
    if (!isArchivedAndPresent(entry)) continue;
    report.archived += 1;
    const lagSeconds = Math.max(0, Math.floor((options.now - archivedThrough(entry)) / 1000));
    report.oldestCompleteArchiveAgeSeconds = Math.max(
      report.oldestCompleteArchiveAgeSeconds,
      lagSeconds,
    );
    const error = entry.permissionError ?? entry.lastError;
    if (error !== undefined) report.failing.push(named(entry, lagSeconds, error));
    if (lagSeconds > options.behindThresholdSeconds) report.behind.push(named(entry, lagSeconds));
    else if (error === undefined && entry.completeThrough !== undefined) report.complete += 1;
    else if (error === undefined) report.pending += 1;
  }
  report.behind.sort((a, b) => b.lagSeconds - a.lagSeconds || (a.id < b.id ? -1 : 1));
  return report;
}

/** The metrics of a report, by name. */
export function completenessMetrics(report: CompletenessReport): Record<string, number> {
  return {
    [CompletenessMetric.oldestCompleteArchiveAge]: report.oldestCompleteArchiveAgeSeconds,
    [CompletenessMetric.complete]: report.complete,
    [CompletenessMetric.behind]: report.behind.length,
    [CompletenessMetric.failing]: report.failing.length,
  };
}

/** The stored state of the behind alarm. */
export interface CompletenessAlarmState {
  /** ISO time the archive was first found behind; absent while it is caught up. */
  behindSince?: string;
}

/** Where that state lives (the state table), so a lasting backlog is announced once. */
export interface CompletenessAlarmStore {
  read(): Promise<CompletenessAlarmState>;
  write(state: CompletenessAlarmState): Promise<void>;
}

/** An event to publish, and the state to store after it. */
export interface CompletenessTransition {
  event?: { detailType: string; detail: Record<string, unknown> };
  next: CompletenessAlarmState;
}

/**
 * What changes with this report: `Archive Behind` (the most-behind extensions, at most
 * {@link LISTED_IN_EVENT}, and the count) when the archive falls behind, `Archive Caught Up`
 * when it no longer is, nothing while the state holds.
 */
export function completenessTransition(
  report: CompletenessReport,
  state: CompletenessAlarmState,
  options: CompletenessOptions,
): CompletenessTransition {
  const behind = report.behind.length > 0;
  const at = new Date(options.now).toISOString();
  if (behind && state.behindSince === undefined) {
    return {
      event: {
        detailType: CompletenessEvent.behind,
        detail: {
          behindCount: report.behind.length,
          thresholdSeconds: options.behindThresholdSeconds,
          oldestCompleteArchiveAgeSeconds: report.oldestCompleteArchiveAgeSeconds,
          extensions: report.behind.slice(0, LISTED_IN_EVENT),
        },
      },
      next: { behindSince: at },
    };
  }
  if (!behind && state.behindSince !== undefined) {
    return {
      event: {
        detailType: CompletenessEvent.caughtUp,
        detail: {
          behindSince: state.behindSince,
          oldestCompleteArchiveAgeSeconds: report.oldestCompleteArchiveAgeSeconds,
        },
      },
      next: {},
    };
  }
  return { next: state };
}

/** The EventBridge source of the completeness events. */
export const COMPLETENESS_EVENT_SOURCE = 'ringcentral-message-automation.archive';
