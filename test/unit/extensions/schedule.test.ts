import { describe, expect, it } from 'vitest';
import type { ExtensionEntry } from '../../../lib/extensions/ports.ts';
import { batchesOf, dueExtensions, purgeOrder } from '../../../lib/extensions/schedule.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

function entry(id: string, fields: Partial<ExtensionEntry> = {}): ExtensionEntry {
  return {
    id,
    type: 'User',
    status: 'Enabled',
    firstSeen: minutesAgo(1000),
    lastSeen: minutesAgo(5),
    archived: true,
    ...fields,
  };
}

/** What a worker records after finishing an extension at `at`. */
function finished(extension: ExtensionEntry, at: number): ExtensionEntry {
  const { changedAt: _covered, ...rest } = extension;
  const time = new Date(at).toISOString();
  return { ...rest, lastRunAt: time, completeThrough: time };
}

describe('the archive schedule', () => {
  it('takes changed mailboxes first, then the most behind, and skips gone and unarchived ones', () => {
    // Prepare
    const entries = [
      entry('1', { completeThrough: minutesAgo(10) }),
      entry('2', { completeThrough: minutesAgo(300) }),
      entry('3', { completeThrough: minutesAgo(5), changedAt: minutesAgo(2) }),
      entry('4'), // never complete: behind since firstSeen
      entry('5', { completeThrough: minutesAgo(900), goneSince: minutesAgo(60) }),
      entry('6', { archived: false, skipReason: 'type IvrMenu has no mailbox' }),
      entry('7', { completeThrough: minutesAgo(9), changedAt: minutesAgo(8) }),
      entry('8', { completeThrough: minutesAgo(2000), permissionError: 'ReadMessages' }),
    ];

    // Act
    const due = dueExtensions(entries, { now: NOW });

    // Assess
    expect(due.map((extension) => extension.id)).toEqual(['7', '3', '4', '2', '1', '8']);
  });

  it('leaves extensions complete within the sweep interval for later unless marked changed', () => {
    // Prepare
    const entries = [
      entry('1', { completeThrough: minutesAgo(3) }),
      entry('2', { completeThrough: minutesAgo(3), changedAt: minutesAgo(1) }),
      entry('3', { completeThrough: minutesAgo(20) }),
      entry('4'),
    ];

    // Act
    const due = dueExtensions(entries, { now: NOW, minIntervalMs: 15 * 60_000 });

    // Assess
    expect(due.map((extension) => extension.id)).toEqual(['2', '4', '3']);
  });

  it('never starves: a run that cannot finish all extensions, then the next run takes the rest first', () => {
    // Prepare: ten extensions never archived; a dispatch covers at most two batches of two.
    let registry = Array.from({ length: 10 }, (_, index) => entry(String(101 + index)));
    const capacity = { batchSize: 2, maxBatches: 2 };
    const runs: string[][] = [];

    // Act: three dispatches, a minute apart; the workers finish what they were given.
    for (let run = 0; run < 3; run += 1) {
      const now = NOW + run * 60_000;
      const batches = batchesOf(dueExtensions(registry, { now }), capacity);
      const taken = batches.flat();
      runs.push(taken);
      registry = registry.map((extension) =>
        taken.includes(extension.id) ? finished(extension, now) : extension,
      );
    }

    // Assess
    expect(runs[0]).toEqual(['101', '102', '103', '104']);
    expect(runs[1]).toEqual(['105', '106', '107', '108']);
    // The last two were never reached; they come before the ones finished a minute ago.
    expect(runs[2]).toEqual(['109', '110', '101', '102']);
  });

  it('retries an extension whose run stopped at the deadline before those that finished', () => {
    // Prepare: extension 2 was started but not finished (lastRunAt without a new completeThrough).
    const entries = [
      entry('1', { completeThrough: minutesAgo(1), lastRunAt: minutesAgo(1) }),
      entry('2', { completeThrough: minutesAgo(30), lastRunAt: minutesAgo(1) }),
      entry('3', { completeThrough: minutesAgo(2), lastRunAt: minutesAgo(2) }),
    ];

    // Act
    const batches = batchesOf(dueExtensions(entries, { now: NOW }), {
      batchSize: 2,
      maxBatches: 1,
    });

    // Assess
    expect(batches).toEqual([['2', '3']]);
  });

  it('does not hand out again an extension a worker still holds, until its run or its timeout', () => {
    // Prepare: 1 handed out a minute ago and not run since; 2 handed out and run since; 3 handed
    // out longer ago than a worker may run; 4 never handed out.
    const entries = [
      entry('1', { dispatchedAt: minutesAgo(1) }),
      entry('2', { dispatchedAt: minutesAgo(3), lastRunAt: minutesAgo(2) }),
      entry('3', { dispatchedAt: minutesAgo(10) }),
      entry('4'),
    ];

    // Act
    const due = dueExtensions(entries, { now: NOW, inFlightMs: 4 * 60_000 });

    // Assess
    expect(due.map((extension) => extension.id).sort()).toEqual(['2', '3', '4']);
  });

  it('sweeps by the last complete sync where the export runs, and defers a change until the export stored it', () => {
    // Prepare: the export stored everything through 20 minutes ago on every extension.
    const exportedThrough = minutesAgo(20);
    const entries = [
      entry('1', { completeThrough: minutesAgo(60), exportedThrough }),
      entry('2', { completeThrough: minutesAgo(400), exportedThrough }),
      entry('3', { completeThrough: minutesAgo(60), exportedThrough, changedAt: minutesAgo(10) }),
      entry('4', { completeThrough: minutesAgo(60), exportedThrough, changedAt: minutesAgo(30) }),
      entry('5', { completeThrough: minutesAgo(60), changedAt: minutesAgo(10) }),
    ];

    // Act
    const due = dueExtensions(entries, { now: NOW, minIntervalMs: 360 * 60_000 });

    // Assess: 4's change is stored by the export, 5 has no export; 3's change waits for the
    // next export; 1 was synced within the sweep interval; 2 was not.
    expect(due.map((extension) => extension.id)).toEqual(['4', '5', '2']);
  });

  it('orders purge by the longest wait since its last purge, skipping gone extensions', () => {
    // Prepare
    const entries = [
      entry('1', { lastPurgeAt: minutesAgo(10) }),
      entry('2'),
      entry('3', { lastPurgeAt: minutesAgo(100) }),
      entry('4', { goneSince: minutesAgo(1) }),
    ];

    // Act
    const order = purgeOrder(entries).map((extension) => extension.id);

    // Assess
    expect(order).toEqual(['2', '3', '1']);
  });
});
