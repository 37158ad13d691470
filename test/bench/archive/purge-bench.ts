/**
 * purge-requests: RingCentral requests of a purge run over N verified messages. Goal:
 * ceil(N/50) bulk deletes plus the listing reads (1000 records per read). The mailbox is first
 * archived with the project's archiver, so purge verifies the real archive.
 */
import { createArchiver } from '../../../lib/archive/archiver.ts';
import { createS3ObjectStore } from '../../../lib/aws/s3-object-store.ts';
import { runPurge } from '../../../lib/purge/run.ts';
import { benchResult, goal } from '../goals.ts';
import { purgeRequestsSettings as settings } from '../settings.ts';
import type { BenchResult } from '../types.ts';
import { benchStartDate, startArchiveServices } from './services.ts';
import { benchRingCentral, benchS3Client, benchStateStores } from './targets.ts';

/** Runs the purge-requests benchmark (its name and description: test/bench/benchmarks.ts). */
export async function runPurgeRequestsBenchmark(): Promise<BenchResult> {
  const startedAt = Date.now();
  const services = await startArchiveServices({
    seed: 13,
    extensions: 1,
    messagesPerExtension: settings.messages,
    maxAttachmentBytes: 8 * 1024,
    startDate: benchStartDate(settings.spanDays - 1),
  });
  try {
    const targets = await services.freshTargets('purge');
    const { rc } = benchRingCentral(targets);
    const objects = createS3ObjectStore({
      bucket: targets.bucket,
      client: benchS3Client(targets),
    });
    const { cursors, locators } = benchStateStores(targets);
    const archiver = createArchiver({
      ringCentral: rc,
      objects,
      cursors,
      locators,
      startDate: benchStartDate(settings.spanDays),
      concurrency: 8,
    });
    const archived = await archiver.archiveExtension('~', { deadline: Date.now() + 600_000 });
    if (!archived.complete) throw new Error(`the archive did not complete: ${archived.stopReason}`);

    const retentionDays = { Fax: 7, VoiceMail: 7, SMS: 7, Pager: 7 };
    await services.emulator.resetStats();
    const dryRun = await runPurge(
      { messages: rc.messages, objects, cursors },
      { extensions: ['~'], retentionDays, dryRun: true, hardPurge: true },
    );
    const dryStats = await services.emulator.stats();
    await services.emulator.resetStats();
    const { report } = await runPurge(
      { messages: rc.messages, objects, cursors },
      { extensions: ['~'], retentionDays, dryRun: false, hardPurge: true },
    );
    const stats = await services.emulator.stats();
    const verified = report.counts.verified;
    const deletes = stats.requestsByGroup.Medium ?? 0;
    const reads = stats.requestsByGroup.Light ?? 0;
    const expectedDeletes = Math.ceil(verified / 50);
    const expectedReads = Math.max(1, Math.ceil(archived.records / 1000));
    return benchResult('purge-requests', startedAt, {
      figures: [
        { name: 'messages archived', value: archived.archivedMessages, unit: '' },
        { name: 'candidates (older than 7 days)', value: report.counts.candidates, unit: '' },
        { name: 'verified (N)', value: verified, unit: '' },
        { name: 'deleted', value: report.counts.deleted, unit: '' },
        { name: 'delete requests (Medium)', value: deletes, unit: '' },
        { name: 'listing reads (Light)', value: reads, unit: '' },
        { name: 'all requests at the server', value: stats.requests, unit: '' },
        { name: 'dry run: all requests at the server', value: dryStats.requests, unit: '' },
        { name: 'dry run: would delete', value: dryRun.report.counts.wouldDelete, unit: '' },
      ],
      goals: [
        goal(
          'every candidate verified (complete archive)',
          verified,
          '==',
          report.counts.candidates,
          'messages',
        ),
        goal('every verified message deleted', report.counts.deleted, '==', verified, 'messages'),
        goal('delete requests == ceil(N/50)', deletes, '==', expectedDeletes, 'requests'),
        goal('listing reads <= ceil(messages/1000)', reads, '<=', expectedReads, 'requests'),
        goal('no other requests', stats.requests, '==', deletes + reads, 'requests'),
        goal('dry run sends no delete', dryStats.requestsByGroup.Medium ?? 0, '==', 0, 'requests'),
      ],
      notes: [
        'purge=true (hard purge); the JWT login happened before the counters were reset (the archiver logged in)',
      ],
    });
  } finally {
    await services.stop();
  }
}
