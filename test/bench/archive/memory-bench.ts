/**
 * archive-memory: peak RSS of the archiver process while it archives a mailbox that holds a
 * 300 MB attachment, everything included (the runtime, the SDKs, the client). The archiver runs
 * bundled with plain node and the deployed V8 flag, as the Lambda function does; the 300 MB
 * object is read back from S3 and its sha256 checked against the emulator's own.
 */
import { attachmentKey, messageKey } from '../../../lib/archive/layout.ts';
import { parseManifest } from '../../../lib/archive/manifest.ts';
import { createS3ObjectStore } from '../../../lib/aws/s3-object-store.ts';
import { benchResult, goal } from '../goals.ts';
import { archiveMemorySettings as settings } from '../settings.ts';
import { toMiB } from '../support/rss-sampler.ts';
import type { BenchResult } from '../types.ts';
import type { ArchiverChildInput, ArchiverChildResult } from './archiver-child.ts';
import { bundleChild } from './bundled-child.ts';
import { benchStartDate, startArchiveServices } from './services.ts';
import { benchRingCentral, benchS3Client } from './targets.ts';
import { runBundled } from './throughput-bench.ts';

/** Runs the archive-memory benchmark (its name and description: test/bench/benchmarks.ts). */
export async function runArchiveMemoryBenchmark(): Promise<BenchResult> {
  const startedAt = Date.now();
  const services = await startArchiveServices(
    {
      seed: 3,
      extensions: 1,
      messagesPerExtension: settings.messages,
      maxAttachmentBytes: 512 * 1024,
      fixedAttachmentBytes: [settings.largeBytes],
      startDate: benchStartDate(29),
    },
    settings.largeBytes,
  );
  const bundle = await bundleChild(new URL('./archiver-child.ts', import.meta.url));
  try {
    const large = services.emulator.facts.largeAttachment;
    if (!large) throw new Error('the mailbox has no large attachment');
    const targets = await services.freshTargets('memory');
    const input: ArchiverChildInput = {
      targets,
      extension: '~',
      startDate: benchStartDate(30),
      concurrency: 4,
      maxRuns: 3,
    };
    const result = await runBundled<ArchiverChildInput, ArchiverChildResult>(
      bundle.file,
      input,
      'archiver',
    );

    // Independent check of the big object: the emulator's generator against S3.
    const expectedSha256 = await services.emulator.attachmentSha256(large.attachmentId);
    const { rc } = benchRingCentral(targets);
    const record = await rc.messages.get(large.messageId);
    const attachment = record.attachments?.find((entry) => entry.id === large.attachmentId);
    if (!attachment) throw new Error('the record lost its attachment');
    const objects = createS3ObjectStore({
      bucket: targets.bucket,
      client: benchS3Client(targets),
    });
    // The stored bytes themselves, read back and hashed here: nothing the archiver reported.
    const stored = await objects.digest(attachmentKey(record, attachment));
    const manifestText = await objects.getText(messageKey(record));
    const manifest = manifestText === undefined ? undefined : parseManifest(manifestText);
    const entry = manifest?.attachments.find((item) => item.id === large.attachmentId);

    const peakMiB = toMiB(result.lifetimePeakRssBytes);
    return benchResult('archive-memory', startedAt, {
      figures: [
        { name: 'large attachment', value: large.size, unit: 'B' },
        { name: 'archived bytes', value: result.archivedBytes, unit: 'B' },
        { name: 'archived messages', value: result.archivedMessages, unit: '' },
        { name: 'duration', value: Math.round(result.durationMs), unit: 'ms' },
        {
          name: 'RSS before archiving (loaded, logged in)',
          value: toMiB(result.rss.baselineBytes),
          unit: 'MiB',
        },
        {
          name: 'RSS peak while archiving (sampled every 20 ms)',
          value: toMiB(result.rss.peakBytes),
          unit: 'MiB',
        },
        { name: 'RSS growth while archiving', value: toMiB(result.rss.deltaBytes), unit: 'MiB' },
        { name: 'peak RSS of the process (maxRSS, all included)', value: peakMiB, unit: 'MiB' },
      ],
      goals: [
        goal(
          'peak RSS of the archiver process < 128 MiB',
          peakMiB,
          '<',
          settings.peakGoalMiB,
          'MiB',
        ),
        goal('the archive run completed', result.complete ? 1 : 0, '==', 1, '(1 = yes)'),
        goal('the large object in S3 has every byte', stored?.size ?? -1, '==', large.size, 'B'),
        goal(
          "the large object's sha256 (its bytes in S3 and message.json) equals the emulator's",
          stored?.sha256 === expectedSha256 && entry?.sha256 === expectedSha256 ? 1 : 0,
          '==',
          1,
          '(1 = equal)',
        ),
      ],
      notes: [
        'the archiver runs as one esbuild bundle under plain node with --max-semi-space-size=1 (what the deployed function runs), not under tsx, whose loader alone adds ~45 MiB',
        `expected sha256 ${expectedSha256} (from the emulator's generator)`,
      ],
    });
  } finally {
    await bundle.dispose();
    await services.stop();
  }
}
