/**
 * archive-requests: RingCentral requests per archived message, from the local RingCentral's own
 * counters. Goal: one content download per attachment, plus under 0.05 requests per message for
 * everything else (sync, login).
 */
import { benchResult, goal, round } from '../goals.ts';
import { archiveRequestsSettings as settings } from '../settings.ts';
import type { BenchResult } from '../types.ts';
import type { ArchiverChildInput, ArchiverChildResult } from './archiver-child.ts';
import { bundleChild } from './bundled-child.ts';
import { benchStartDate, startArchiveServices } from './services.ts';
import { benchRingCentral } from './targets.ts';
import { runBundled } from './throughput-bench.ts';

/** Runs the archive-requests benchmark (its name and description: test/bench/benchmarks.ts). */
export async function runArchiveRequestsBenchmark(): Promise<BenchResult> {
  const startedAt = Date.now();
  const services = await startArchiveServices({
    seed: 8,
    extensions: 1,
    messagesPerExtension: settings.messages,
    maxAttachmentBytes: 16 * 1024,
    startDate: benchStartDate(29),
  });
  const bundle = await bundleChild(new URL('./archiver-child.ts', import.meta.url));
  try {
    const targets = await services.freshTargets('requests');
    // What there is to archive, counted before the stats are reset.
    const { rc } = benchRingCentral(targets);
    let messages = 0;
    let attachments = 0;
    for await (const page of rc.messages.list({
      dateFrom: benchStartDate(30),
      perPage: 1000,
    })) {
      messages += page.records.length;
      for (const record of page.records) attachments += record.attachments?.length ?? 0;
    }
    await services.emulator.resetStats();
    const result = await runBundled<ArchiverChildInput, ArchiverChildResult>(
      bundle.file,
      { targets, extension: '~', startDate: benchStartDate(30), concurrency: 4, maxRuns: 3 },
      'archiver',
    );
    const stats = await services.emulator.stats();
    const byGroup = stats.requestsByGroup;
    const downloads = byGroup.Medium ?? 0;
    const other = stats.requests - downloads;
    const perMessage = other / Math.max(1, result.archivedMessages);
    return benchResult('archive-requests', startedAt, {
      figures: [
        { name: 'messages in the mailbox', value: messages, unit: '' },
        { name: 'attachments in the mailbox', value: attachments, unit: '' },
        { name: 'archived messages', value: result.archivedMessages, unit: '' },
        { name: 'stored attachments', value: result.storedAttachments, unit: '' },
        { name: 'requests: Light (sync, list, get)', value: byGroup.Light ?? 0, unit: '' },
        { name: 'requests: Medium (content downloads)', value: downloads, unit: '' },
        { name: 'requests: Auth', value: byGroup.Auth ?? 0, unit: '' },
        { name: 'requests: all', value: stats.requests, unit: '' },
        {
          name: 'downloads per attachment',
          value: round(downloads / Math.max(1, attachments), 3),
          unit: '',
        },
        { name: 'other requests per message', value: round(perMessage, 4), unit: '' },
      ],
      goals: [
        goal('every message archived', result.archivedMessages, '==', messages, 'messages'),
        goal('one download per attachment', downloads, '==', attachments, 'requests'),
        goal(
          'other requests per archived message < 0.05',
          round(perMessage, 4),
          '<',
          settings.metadataGoal,
          'per message',
        ),
      ],
      notes: [
        'counted by the local RingCentral (GET /__emulator/stats), reset after the bench listed the mailbox; every attachment, SMS Text parts included, is content to download (Medium group)',
      ],
    });
  } finally {
    await bundle.dispose();
    await services.stop();
  }
}
