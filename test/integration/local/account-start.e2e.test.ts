/**
 * `npm start` with no configuration archives the whole account: pointed at a RingCentral of 40
 * extensions (the realistic mix: users, fax users, departments, disabled, frozen and never
 * activated users, and types without a mailbox), discovery at start fills the registry, the
 * dispatcher on the compressed schedule hands every extension to the archive workers, and the
 * status line says they are all complete. Then every message of every extension with a mailbox
 * is checked in S3, byte for byte.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentKey, messageKey } from '../../../lib/archive/layout.ts';
import { parseManifest } from '../../../lib/archive/manifest.ts';
import { decide } from '../../../lib/extensions/policy.ts';
import type { MessageRecord } from '../../../lib/ringcentral/index.ts';
import { type RunningEmulator, startEmulator } from '../../../local/ringcentral/index.ts';
import { READY, type StackProcess, startStackProcess, waitFor } from './stack-process.ts';

const EXTENSIONS = 40;
const GENEROUS = { limit: 100_000, windowSeconds: 60 };

describe('npm start against an account of 40 extensions', () => {
  let account: RunningEmulator;
  let stack: StackProcess | undefined;
  let dataDir = '';

  beforeAll(async () => {
    account = await startEmulator({
      mailbox: {
        seed: 40,
        extensions: EXTENSIONS,
        messagesPerExtension: 2,
        maxAttachmentBytes: 3_000,
      },
      // Pacing is proven elsewhere (rate-limit tests and benchmarks); here the archive's reach.
      // Budgets far above the load, advertised in X-Rate-Limit headers the clients adopt: with
      // no headers at all the clients keep RingCentral's documented 40 Medium requests a minute,
      // and the downloads alone would take a minute of waiting.
      rateLimits: {
        groups: { Light: GENEROUS, Medium: GENEROUS, Heavy: GENEROUS, Auth: GENEROUS },
      },
    });
    dataDir = await mkdtemp(join(tmpdir(), 'local-stack-account-'));
  });

  afterAll(async () => {
    stack?.kill();
    await account?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  // Bounded by its own waits (30 s to ready, 120 s to complete), not vitest's 60 s default.
  it('archives every message of every extension with a mailbox, byte-identical, and says so', async () => {
    // Prepare: only the RingCentral to use; nothing says which extensions to archive.
    const archived = account.mailbox.extensions.filter(
      (extension) => decide({}, extension).archived,
    );
    const started = startStackProcess(dataDir, {
      RINGCENTRAL_SERVER: account.url,
      RINGCENTRAL_MEDIA_SERVER: account.mediaUrl,
      RINGCENTRAL_CLIENT_ID: account.credentials.clientId,
      RINGCENTRAL_CLIENT_SECRET: account.credentials.clientSecret,
      RINGCENTRAL_JWT: account.credentials.jwt,
      LOCAL_ARCHIVE_SECONDS: '2',
    });
    stack = started;
    const allComplete = new RegExp(
      `\\] archive-dispatch\\s+extensions ${archived.length} complete, 0 behind, 0 failing;`,
    );

    // Act
    await waitFor(() => (started.output().includes(READY) ? true : undefined), 30_000, 'ready');
    await waitFor(
      () => (allComplete.test(started.output()) ? true : undefined),
      120_000,
      `a dispatch reporting all ${archived.length} archived extensions complete`,
    );
    const info = await started.info();
    const s3 = new S3Client({
      endpoint: info.s3Endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const read = async (key: string) => {
      try {
        const object = await s3.send(
          new GetObjectCommand({ Bucket: info.archiveBucket, Key: key }),
        );
        return Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array());
      } catch {
        return undefined;
      }
    };
    const missing: string[] = [];
    const different: string[] = [];
    let messages = 0;
    let attachments = 0;
    try {
      for (const extension of account.mailbox.extensions) {
        for (const message of account.mailbox.messages(extension.id)) {
          messages += 1;
          const record = message as unknown as MessageRecord;
          const text = await read(messageKey(record));
          if (!text) {
            missing.push(`${extension.id}/${message.id}`);
            continue;
          }
          const manifest = parseManifest(text.toString('utf8'));
          if (manifest.message.id !== message.id) different.push(message.id);
          for (const attachment of message.attachments) {
            attachments += 1;
            const bytes = await read(attachmentKey(record, attachment));
            const digest = bytes && createHash('sha256').update(bytes).digest('hex');
            if (digest !== (await account.mailbox.attachmentSha256(attachment.id))) {
              different.push(`${message.id}/${attachment.id}`);
            }
          }
        }
      }
    } finally {
      s3.destroy();
    }
    const exit = await started.interrupt();

    // Assess
    const withMessages = account.mailbox.extensions.filter(
      (extension) => account.mailbox.messages(extension.id).length > 0,
    );
    expect(withMessages.length).toBeGreaterThan(20);
    expect(messages).toBeGreaterThan(40);
    expect(attachments).toBeGreaterThan(0);
    expect(missing).toEqual([]);
    expect(exit.code === 0 || exit.signal === 'SIGINT').toBe(true);
    expect(different).toEqual([]);
    // Discovery listed the account once at start, and said so.
    expect(started.output()).toMatch(
      new RegExp(`extensions \\(start\\)\\s+${EXTENSIONS} listed, ${archived.length} archived`),
    );
  }, 240_000);
});
