/**
 * Child process: the baselines the archiver is compared with, plain stream copies. Lists the
 * mailbox once, then for every attachment streams `GET` of its content (fetch, bearer token)
 * straight into one S3 PutObject, with the same concurrency as the archiver (one message at a
 * time per worker, its attachments in order): no hashing, no resume, no cursor. With
 * `recordObjects`, each message's record also goes up as a small JSON object after its
 * attachments, so the copy writes as many objects as the archiver (attachments plus one
 * message.json per message) and the two differ only in what the archiver does besides copying.
 */
import { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { MessageRecord } from '../../../lib/ringcentral/types.ts';
import { runAsChild } from '../support/child-process.ts';
import { startCpuProfile } from '../support/cpu-profile.ts';
import { type ArchiveTargets, benchRingCentral, benchS3Client } from './targets.ts';

/** What the parent sends. */
export interface CopyChildInput {
  targets: ArchiveTargets;
  extension: string;
  startDate: string;
  concurrency: number;
  /** Also write each message's record as a JSON object after its attachments. */
  recordObjects?: boolean;
  /** Writes a V8 CPU profile of the copying (not of loading) into this directory. */
  cpuProfileDirectory?: string;
}

/** What the child reports. */
export interface CopyChildResult {
  messages: number;
  attachments: number;
  /** Attachment bytes copied (record objects not counted). */
  bytes: number;
  /** Objects written, record objects included. */
  objects: number;
  durationMs: number;
  /**
   * CPU time of this process while copying (user + system, all its threads, from
   * `process.cpuUsage()`), in microseconds: loading and login excluded.
   */
  cpuMicros: number;
}

runAsChild<CopyChildInput, CopyChildResult>(async (input) => {
  const { rc, tokenSource } = benchRingCentral(input.targets);
  const token = (await tokenSource.getToken()).accessToken;
  const s3 = benchS3Client(input.targets);
  const Bucket = input.targets.bucket;
  const profile = await startCpuProfile(
    input.cpuProfileDirectory,
    input.recordObjects ? 'copy-objects' : 'copy',
  );
  const startedAt = Date.now();
  const cpuAtStart = process.cpuUsage();
  const records: MessageRecord[] = [];
  for await (const page of rc.messages.list({
    extensionId: input.extension,
    dateFrom: input.startDate,
    perPage: 1000,
  })) {
    records.push(...page.records);
  }
  let next = 0;
  let attachments = 0;
  let bytes = 0;
  let objects = 0;
  const worker = async () => {
    for (let record = records[next++]; record; record = records[next++]) {
      for (const attachment of record.attachments ?? []) {
        if (!attachment.uri) continue;
        const response = await fetch(attachment.uri, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (!response.ok || !response.body) {
          throw new Error(`GET ${attachment.uri}: ${response.status}`);
        }
        const length = Number(response.headers.get('content-length') ?? attachment.size ?? 0);
        await s3.send(
          new PutObjectCommand({
            Bucket,
            Key: `copy/${record.id}/${attachment.id}`,
            Body: Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
            ContentLength: length,
            ContentType: attachment.contentType ?? 'application/octet-stream',
          }),
        );
        attachments += 1;
        bytes += length;
        objects += 1;
      }
      if (input.recordObjects) {
        await s3.send(
          new PutObjectCommand({
            Bucket,
            Key: `copy/${record.id}/message.json`,
            Body: JSON.stringify({ message: record }, null, 2),
            ContentType: 'application/json',
          }),
        );
        objects += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: input.concurrency }, worker));
  const cpu = process.cpuUsage(cpuAtStart);
  const durationMs = Date.now() - startedAt;
  await profile.stop();
  return {
    messages: records.length,
    attachments,
    bytes,
    objects,
    durationMs,
    cpuMicros: cpu.user + cpu.system,
  };
});
