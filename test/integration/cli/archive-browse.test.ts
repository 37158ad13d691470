import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCatCommand, runLsCommand } from '../../../cli/archive/browse-command.ts';
import type { CommandIo } from '../../../cli/archive/verify-command.ts';
import { createS3ArchiveReader } from '../../../lib/aws/s3-archive-reader.ts';
import { type LocalS3, startS3rver } from '../../support/s3rver.ts';

const BUCKET = 'browse-archive';
const PREFIX = 'archive/400131880008/101001/2026/12/06/1724099032020/';
const MANIFEST = `${PREFIX}message.json`;
const ATTACHMENT = `${PREFIX}attachments/9839074435.txt`;

describe('npm run archive:ls and archive:cat', () => {
  let parent: string;
  let s3: LocalS3;

  const io = (stdout: string[], stderr: string[]): CommandIo => ({
    stdout: (line) => stdout.push(line),
    stderr: (text) => stderr.push(text),
    open: async () => ({
      reader: createS3ArchiveReader({ bucket: BUCKET, client: s3.client }),
      description: `bucket ${BUCKET}`,
      close() {},
    }),
  });

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'archive-browse-'));
    s3 = await startS3rver({ parentDirectory: parent });
    await s3.createBucket(BUCKET);
    for (const [key, body] of [
      [MANIFEST, '{"id":"1724099032020"}'],
      [ATTACHMENT, 'Hello'],
    ] as const) {
      await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    }
  });

  afterAll(async () => {
    await s3.stop();
    await rm(parent, { recursive: true, force: true });
  });

  it('lists the keys of the documented layout, and prints one object as stored', async () => {
    // Prepare
    const lsOut: string[] = [];
    const lsErr: string[] = [];
    const catErr: string[] = [];
    const bytes = new PassThrough();
    const chunks: Buffer[] = [];
    bytes.on('data', (chunk: Buffer) => chunks.push(chunk));

    // Act
    const lsCode = await runLsCommand(['archive/400131880008/'], io(lsOut, lsErr));
    const catCode = await runCatCommand([MANIFEST], io([], catErr), bytes);
    const missingErr: string[] = [];
    const missingCode = await runCatCommand([`${PREFIX}nope.json`], io([], missingErr), bytes);

    // Assess
    expect(lsCode).toBe(0);
    expect(lsOut.map((line) => line.trim())).toEqual([`5  ${ATTACHMENT}`, `22  ${MANIFEST}`]);
    expect(lsErr.join('')).toBe(`2 objects under archive/400131880008/ in bucket ${BUCKET}\n`);
    expect(catCode).toBe(0);
    expect(Buffer.concat(chunks).toString()).toBe('{"id":"1724099032020"}');
    expect(missingCode).toBe(1);
    expect(missingErr.join('')).toContain('npm run archive:ls lists them');
  });

  it('asks for the key archive:cat prints', async () => {
    // Prepare
    const stderr: string[] = [];

    // Act
    const code = await runCatCommand([], io([], stderr), new PassThrough());

    // Assess
    expect(code).toBe(2);
    expect(stderr.join('').split('\n')[0]).toBe('<key> is required');
  });
});
