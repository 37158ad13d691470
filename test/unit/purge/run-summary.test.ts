import { describe, expect, it } from 'vitest';
import type { PurgeReport } from '../../../lib/purge/report.ts';
import { summarizePurgeRun } from '../../../lib/purge/run-summary.ts';

function report(overrides: Partial<PurgeReport> = {}): PurgeReport {
  return {
    schemaVersion: 1 as PurgeReport['schemaVersion'],
    runId: 'run-1',
    startedAt: '2024-01-01T00:00:00.000Z',
    finishedAt: '2024-01-01T00:01:00.000Z',
    dryRun: false,
    hardPurge: false,
    retentionDays: {},
    complete: true,
    extensions: [
      {
        extension: '~',
        cutoffs: {} as PurgeReport['extensions'][number]['cutoffs'],
        candidates: 7,
        listingRequests: 1,
        deleteRequests: 1,
        truncated: false,
      },
    ],
    deleted: [],
    wouldDelete: [],
    skipped: [],
    failed: [],
    counts: { candidates: 7, verified: 6, deleted: 5, wouldDelete: 0, skipped: 1, failed: 0 },
    requests: { listing: 1, delete: 1 },
    ...overrides,
  };
}

describe('summarizePurgeRun', () => {
  it('reports the counts as metrics and the run without details as one line', () => {
    // Act
    const summary = summarizePurgeRun(report(), {
      reportKey: 'reports/purge/x.json',
      dryRun: false,
    });

    // Assess
    expect(summary.metrics).toEqual([
      { name: 'PurgeCandidates', unit: 'Count', value: 7 },
      { name: 'PurgeVerified', unit: 'Count', value: 6 },
      { name: 'PurgeDeleted', unit: 'Count', value: 5 },
      { name: 'PurgeSkipped', unit: 'Count', value: 1 },
      { name: 'PurgeFailed', unit: 'Count', value: 0 },
    ]);
    expect(summary.log).toEqual({
      level: 'info',
      message: 'Purge run finished',
      fields: {
        reportKey: 'reports/purge/x.json',
        dryRun: false,
        hardPurge: false,
        complete: true,
        counts: report().counts,
        extensions: [
          {
            extension: '~',
            candidates: 7,
            deleteRequests: 1,
            stopped: undefined,
            error: undefined,
          },
        ],
      },
    });
  });

  it('warns when it skipped messages and errs when deletes failed or an extension stopped on error', () => {
    // Prepare
    const skipped = [{ id: '1', extension: '~', reason: 'attachment-missing', detail: 'k' }];
    const stopped = report().extensions.map((extension) => ({
      ...extension,
      stopped: 'error' as const,
      error: 'Error: boom',
    }));

    // Act
    const warned = summarizePurgeRun(report({ skipped } as Partial<PurgeReport>), {
      reportKey: 'k',
      dryRun: true,
    });
    const failed = summarizePurgeRun(
      report({ failed: [{ id: '2', extension: '~', message: 'no' }] }),
      { reportKey: 'k', dryRun: false },
    );
    const erred = summarizePurgeRun(report({ extensions: stopped }), {
      reportKey: 'k',
      dryRun: false,
    });

    // Assess
    expect(warned.log.level).toBe('warn');
    expect(warned.log.message).toBe('Purge run skipped messages it could not prove archived');
    expect(failed.log).toMatchObject({ level: 'error', message: 'Purge run had failures' });
    expect(erred.log).toMatchObject({ level: 'error', message: 'Purge run had failures' });
  });
});
