/**
 * What the backfill tests share: the archive harness (local RingCentral, s3rver, dynalite) with
 * more buckets, the archive function run into one bucket, a byte-for-byte comparison of two
 * buckets, and a comparison of a bucket with the emulator's mailbox.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ArchiveOutcome } from '../../../functions/archive.ts';
import { attachmentKey, messageKey } from '../../../lib/archive/layout.ts';
import { type ArchiveManifest, parseManifest } from '../../../lib/archive/manifest.ts';
import type { ObjectStore } from '../../../lib/archive/ports.ts';
import { createS3ObjectStore } from '../../../lib/aws/s3-object-store.ts';
import type { MessageRecord } from '../../../lib/ringcentral/index.ts';
import { lambdaContext } from '../../support/events.ts';
import { createArchiveFunction } from '../archive/archive-function-harness.ts';
import type { ArchiveHarness } from '../archive/archive-harness.ts';

/** An object store on another bucket of the harness's s3rver (created here). */
export async function bucketStore(harness: ArchiveHarness, bucket: string): Promise<ObjectStore> {
  await harness.s3.createBucket(bucket);
  return createS3ObjectStore({ bucket, client: harness.s3.client });
}

/**
 * Runs functions/archive.ts (the deployed handler, credentials and session from a fake Secrets
 * Manager) over `extensions` into the harness's archive bucket until every run is complete.
 */
export async function runArchiveFunction(
  harness: ArchiveHarness,
  extensions: readonly string[],
): Promise<ArchiveOutcome[]> {
  await harness.register(extensions);
  const { handler, restore } = await createArchiveFunction(harness, {
    dependencies: { concurrency: 8 },
    environment: { POWERTOOLS_LOG_LEVEL: 'ERROR' },
  });
  try {
    const outcomes: ArchiveOutcome[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const outcome = await handler(
        { extensionIds: [...extensions] },
        lambdaContext({ remainingMs: 60_000 }),
      );
      outcomes.push(outcome);
      if (outcome.runs.every((run) => run.complete)) break;
    }
    return outcomes;
  } finally {
    restore();
  }
}

/** A bucket read once: every key's sha256, and the text of the keys `keepText` selects. */
async function readBucket(
  client: S3Client,
  bucket: string,
  keepText: (key: string) => boolean,
): Promise<{ digests: Map<string, string>; texts: Map<string, string> }> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) }),
    );
    for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const digests = new Map<string, string>();
  const texts = new Map<string, string>();
  const queue = [...keys];
  const worker = async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const hash = createHash('sha256');
      const chunks: Uint8Array[] = [];
      for await (const chunk of object.Body as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        if (keepText(key)) chunks.push(chunk);
      }
      digests.set(key, hash.digest('hex'));
      if (keepText(key)) texts.set(key, Buffer.concat(chunks).toString('utf8'));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return {
    digests: new Map([...digests.entries()].sort(([a], [b]) => a.localeCompare(b))),
    texts,
  };
}

/** Every key of a bucket with the sha256 of its bytes. */
export async function bucketDigests(
  client: S3Client,
  bucket: string,
): Promise<Map<string, string>> {
  return (await readBucket(client, bucket, () => false)).digests;
}

/** Keys whose bytes differ between two digests maps, and keys only one of them has. */
export function bucketDifferences(
  expected: Map<string, string>,
  actual: Map<string, string>,
): { missing: string[]; extra: string[]; different: string[] } {
  return {
    missing: [...expected.keys()].filter((key) => !actual.has(key)),
    extra: [...actual.keys()].filter((key) => !expected.has(key)),
    different: [...expected.entries()]
      .filter(([key, digest]) => actual.has(key) && actual.get(key) !== digest)
      .map(([key]) => key),
  };
}

/** What differs between the emulator's mailbox and a bucket. */
export interface MailboxDifferences {
  /** Message ids without a valid message.json. */
  missingMessages: string[];
  /** `messageId/attachmentId` whose object or manifest entry differs from the mailbox's bytes. */
  badAttachments: string[];
  checkedAttachments: number;
}

/**
 * Checks a bucket against every message of the extensions: a valid message.json holding the
 * record, and each attachment's object byte-identical to the emulator's content (sha256 of the
 * stored bytes, and of the manifest entry, and the declared size).
 */
export async function compareWithMailbox(
  harness: ArchiveHarness,
  bucket: string,
  extensionIds: readonly string[],
): Promise<MailboxDifferences> {
  // One read of the bucket gives the attachments' digests and the message.json texts.
  const { digests, texts } = await readBucket(harness.s3.client, bucket, (key) =>
    key.endsWith('/message.json'),
  );
  const differences: MailboxDifferences = {
    missingMessages: [],
    badAttachments: [],
    checkedAttachments: 0,
  };
  for (const message of extensionIds.flatMap((id) => harness.emulator.mailbox.messages(id))) {
    const record = message as unknown as MessageRecord;
    const text = texts.get(messageKey(record));
    let manifest: ArchiveManifest | undefined;
    try {
      manifest = text === undefined ? undefined : parseManifest(text);
    } catch {
      manifest = undefined;
    }
    if (!manifest || manifest.message.id !== message.id) {
      differences.missingMessages.push(message.id);
      continue;
    }
    for (const attachment of message.attachments) {
      differences.checkedAttachments += 1;
      const key = attachmentKey(record, attachment);
      const expected = await harness.emulator.mailbox.attachmentSha256(attachment.id);
      const entry = manifest.attachments.find((item) => item.id === attachment.id);
      if (
        entry?.key !== key ||
        entry.sha256 !== expected ||
        entry.size !== attachment.size ||
        digests.get(key) !== expected
      ) {
        differences.badAttachments.push(`${message.id}/${attachment.id}`);
      }
    }
  }
  return differences;
}
