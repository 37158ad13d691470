import { describe, expect, it } from 'vitest';
import {
  assessCompleteness,
  CompletenessEvent,
  completenessMetrics,
  completenessTransition,
  LISTED_IN_EVENT,
} from '../../../lib/extensions/completeness.ts';
import type { ExtensionEntry } from '../../../lib/extensions/ports.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();
const OPTIONS = { now: NOW, behindThresholdSeconds: 3600 };

function entry(id: string, fields: Partial<ExtensionEntry> = {}): ExtensionEntry {
  return {
    id,
    type: 'User',
    status: 'Enabled',
    firstSeen: minutesAgo(10),
    lastSeen: minutesAgo(5),
    archived: true,
    ...fields,
  };
}

describe('archive completeness', () => {
  it('measures the oldest complete archive over every archived, present extension', () => {
    // Prepare
    const entries = [
      entry('1', { completeThrough: minutesAgo(5) }),
      entry('2', { completeThrough: minutesAgo(90), name: 'Bob', extensionNumber: '102' }),
      entry('3'), // never complete, first seen 10 minutes ago: pending
      entry('4', { completeThrough: minutesAgo(1), lastError: 'ServerError: 503' }),
      entry('5', { firstSeen: minutesAgo(200), permissionError: 'ReadMessages' }),
      entry('6', { completeThrough: minutesAgo(5000), goneSince: minutesAgo(4000) }),
      entry('7', { archived: false, firstSeen: minutesAgo(9000) }),
    ];

    // Act
    const report = assessCompleteness(entries, OPTIONS);

    // Assess
    expect(report).toMatchObject({ archived: 5, complete: 1, pending: 1 });
    expect(report.oldestCompleteArchiveAgeSeconds).toBe(200 * 60);
    expect(report.behind).toEqual([
      { id: '5', lagSeconds: 12_000 },
      { id: '2', extensionNumber: '102', name: 'Bob', lagSeconds: 5400 },
    ]);
    expect(report.failing.map((failing) => [failing.id, failing.error])).toEqual([
      ['4', 'ServerError: 503'],
      ['5', 'ReadMessages'],
    ]);
    expect(completenessMetrics(report)).toEqual({
      OldestCompleteArchiveAgeSeconds: 12_000,
      ExtensionsComplete: 1,
      ExtensionsBehind: 2,
      ExtensionsFailing: 2,
    });
  });

  it('announces falling behind once, naming at most 50 extensions and counting all', () => {
    // Prepare
    const entries = Array.from({ length: 60 }, (_, index) =>
      entry(String(100 + index), { completeThrough: minutesAgo(120 + index) }),
    );
    const report = assessCompleteness(entries, OPTIONS);

    // Act
    const first = completenessTransition(report, {}, OPTIONS);
    const again = completenessTransition(report, first.next, OPTIONS);

    // Assess
    expect(first.event?.detailType).toBe(CompletenessEvent.behind);
    expect(first.event?.detail.behindCount).toBe(60);
    const listed = first.event?.detail.extensions as Array<{ id: string }>;
    expect(listed).toHaveLength(LISTED_IN_EVENT);
    expect(listed[0]?.id).toBe('159');
    expect(first.next.behindSince).toBe(new Date(NOW).toISOString());
    expect(again.event).toBeUndefined();
    expect(again.next).toEqual(first.next);
  });

  it('announces catching up once when nothing is behind any more', () => {
    // Prepare
    const report = assessCompleteness([entry('1', { completeThrough: minutesAgo(1) })], OPTIONS);
    const state = { behindSince: minutesAgo(30) };

    // Act
    const cleared = completenessTransition(report, state, OPTIONS);
    const after = completenessTransition(report, cleared.next, OPTIONS);

    // Assess
    expect(cleared.event).toEqual({
      detailType: CompletenessEvent.caughtUp,
      detail: { behindSince: state.behindSince, oldestCompleteArchiveAgeSeconds: 60 },
    });
    expect(cleared.next).toEqual({});
    expect(after.event).toBeUndefined();
  });
});
