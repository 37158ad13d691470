/**
 * Child process: the baseline the archiver is compared with, a plain stream copy. Lists the
 * mailbox once, then for every attachment streams `GET` of its content (fetch, bearer token)
 * straight into one S3 PutObject, with the same concurrency as the archiver: no manifest, no
 * hashing, no resume, no cursor.
 */
import { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { runAsChild } from '../support/child-process.ts';
import { type ArchiveTargets, benchRingCentral, benchS3Client } from './targets.ts';

/** What the parent sends. */
export interface CopyChildInput {
  targets: ArchiveTargets;
  extension: string;
  startDate: string;
  concurrency: number;
}

/** What the child reports. */
export interface CopyChildResult {
  messages: number;
  attachments: number;
  bytes: number;
  durationMs: number;
}

runAsChild<CopyChildInput, CopyChildResult>(async (input) => {
  const { rc, tokenSource } = benchRingCentral(input.targets);
  const token = (await tokenSource.getToken()).accessToken;
  const s3 = benchS3Client(input.targets);
  const startedAt = Date.now();
  const jobs: Array<{ key: string; uri: string; size: number; contentType: string }> = [];
  let messages = 0;
  for await (const page of rc.messages.list({
    extensionId: input.extension,
    dateFrom: input.startDate,
    perPage: 1000,
  })) {
    for (const record of page.records) {
      messages += 1;
      for (const attachment of record.attachments ?? []) {
        if (!attachment.uri) continue;
        jobs.push({
          key: `copy/${record.id}/${attachment.id}`,
          uri: attachment.uri,
          size: attachment.size ?? 0,
          contentType: attachment.contentType ?? 'application/octet-stream',
        });
      }
    }
  }
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    for (let job = jobs[next++]; job; job = jobs[next++]) {
      const response = await fetch(job.uri, { headers: { authorization: `Bearer ${token}` } });
      if (!response.ok || !response.body) throw new Error(`GET ${job.uri}: ${response.status}`);
      const length = Number(response.headers.get('content-length') ?? job.size);
      await s3.send(
        new PutObjectCommand({
          Bucket: input.targets.bucket,
          Key: job.key,
          Body: Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
          ContentLength: length,
          ContentType: job.contentType,
        }),
      );
      bytes += length;
    }
  };
  await Promise.all(Array.from({ length: input.concurrency }, worker));
  return { messages, attachments: jobs.length, bytes, durationMs: Date.now() - startedAt };
});
