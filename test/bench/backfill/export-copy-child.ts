/**
 * Child process: the baselines the backfill is compared with. Creates the export task and polls
 * it as the backfill does, then either streams each archive's download (fetch, bearer token)
 * straight into one S3 PutObject (`archives`: the plain stream copy), or unzips the download with
 * the backfill's zip reader and streams each entry into its own PutObject (`entries`: the cost of
 * one object per attachment alone): no hashing, no manifest, no checks.
 */
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { readMessageStoreRecords } from '../../../lib/backfill/records.ts';
import { readZipEntries } from '../../../lib/backfill/zip-reader.ts';
import { type ArchiveTargets, benchRingCentral, benchS3Client } from '../archive/targets.ts';
import { runAsChild } from '../support/child-process.ts';

/** What the parent sends. */
export interface ExportCopyChildInput {
  targets: ArchiveTargets;
  dateFrom: string;
  mode: 'archives' | 'entries';
}

/** What the child reports. */
export interface ExportCopyChildResult {
  archives: number;
  /** Objects written. */
  objects: number;
  bytes: number;
  durationMs: number;
  /** From the task's completion to the end. */
  transferMs: number;
}

runAsChild<ExportCopyChildInput, ExportCopyChildResult>(async (input) => {
  const { rc, tokenSource } = benchRingCentral(input.targets);
  const token = (await tokenSource.getToken()).accessToken;
  const s3 = benchS3Client(input.targets);
  const startedAt = Date.now();
  const task = await rc.exports.create({
    dateFrom: input.dateFrom,
    dateTo: new Date().toISOString(),
  });
  // Polled every 200 ms, as the backfill child polls.
  for (;;) {
    const current = await rc.exports.get(task.id);
    if (current.status === 'Completed') break;
    if (current.status === 'Failed' || current.status === 'Cancelled') {
      throw new Error(`export ${current.status}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const completedAt = Date.now();
  const archives = await rc.exports.listArchives(task.id);
  let bytes = 0;
  let objects = 0;
  const sizes = new Map<string, number>();
  for (const [index, archive] of archives.entries()) {
    const response = await fetch(archive.uri, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok || !response.body) throw new Error(`GET ${archive.uri}: ${response.status}`);
    const download = Readable.fromWeb(response.body as ReadableStream);
    if (input.mode === 'archives') {
      const length = Number(response.headers.get('content-length') ?? archive.size);
      await s3.send(
        new PutObjectCommand({
          Bucket: input.targets.bucket,
          Key: `copy/${task.id}/${index}.zip`,
          Body: download,
          ContentLength: length,
          ContentType: 'application/zip',
        }),
      );
      bytes += length;
      objects += 1;
      continue;
    }
    bytes += archive.size ?? 0;
    for await (const entry of readZipEntries(download)) {
      if (index === 0) {
        for await (const record of readMessageStoreRecords(entry.stream)) {
          for (const attachment of record.attachments ?? []) {
            sizes.set(`${record.id}/${attachment.id}`, attachment.size ?? 0);
          }
        }
        continue;
      }
      const [messageId, rest] = entry.name.split('/');
      const attachmentId = rest?.split('_')[0];
      await s3.send(
        new PutObjectCommand({
          Bucket: input.targets.bucket,
          Key: `copy/${entry.name}`,
          Body: entry.stream,
          ContentLength: sizes.get(`${messageId}/${attachmentId}`),
        }),
      );
      objects += 1;
    }
  }
  const endedAt = Date.now();
  return {
    archives: archives.length,
    objects,
    bytes,
    durationMs: endedAt - startedAt,
    transferMs: endedAt - completedAt,
  };
});
