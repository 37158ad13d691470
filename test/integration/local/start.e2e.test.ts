/**
 * `npm start` end to end, as a user runs it: a child process (its own process group, as a
 * terminal runs it), the printed curl commands pasted into bash, an archive run on the compressed
 * schedule, the archive checked in s3rver, then Ctrl+C (SIGINT to the group) and every port
 * checked to refuse connections.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  READY,
  refusesConnections,
  type StackProcess,
  startStackProcess,
  waitFor,
} from './stack-process.ts';

const run = promisify(execFile);

describe('npm start', () => {
  let stack: StackProcess | undefined;
  let dataDir = '';

  afterAll(async () => {
    stack?.kill();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('runs the system: signed SMS and fax through the gateway are archived; Ctrl+C leaves nothing listening', async () => {
    // Prepare
    dataDir = await mkdtemp(join(tmpdir(), 'local-stack-'));
    const started = startStackProcess(dataDir, { LOCAL_ARCHIVE_SECONDS: '2' });
    stack = started;
    await waitFor(() => (started.output().includes(READY) ? true : undefined), 20_000, 'ready');
    const info = await started.info();
    const printed = (title: string) => {
      const lines = started.output().split('\n');
      return (lines[lines.findIndex((line) => line.startsWith(title)) + 1] ?? '').trim();
    };
    const s3 = new S3Client({
      endpoint: info.s3Endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });

    // Act: paste the printed commands, as a user would.
    const sms = await run('bash', ['-c', printed('Send a signed SMS:')]);
    const fax = await run('bash', ['-c', printed('Send a signed fax:')]);
    const smsId = (JSON.parse(sms.stdout) as { id: string }).id;
    const faxId = (JSON.parse(fax.stdout) as { id: string }).id;
    const keys = await waitFor(
      async () => {
        const listed = await s3.send(
          new ListObjectsV2Command({ Bucket: info.archiveBucket, Prefix: 'archive/' }),
        );
        const all = (listed.Contents ?? []).map((object) => object.Key ?? '');
        const smsKey = all.find((key) => key.endsWith(`/${smsId}/message.json`));
        const faxKey = all.find((key) => key.endsWith(`/${faxId}/message.json`));
        return smsKey && faxKey ? { smsKey, faxKey } : undefined;
      },
      20_000,
      'both messages in the archive',
    );
    const readText = async (key: string) =>
      (
        await s3.send(new GetObjectCommand({ Bucket: info.archiveBucket, Key: key }))
      ).Body?.transformToString() ?? '';
    const smsManifest = JSON.parse(await readText(keys.smsKey)) as {
      message: { id: string; type: string };
    };
    const faxManifest = JSON.parse(await readText(keys.faxKey)) as {
      message: { id: string; type: string };
      attachments: Array<{ key: string; size: number; sha256: string }>;
    };
    const attachment = faxManifest.attachments[0] ?? expect.unreachable();
    const attachmentBytes = await (
      await s3.send(new GetObjectCommand({ Bucket: info.archiveBucket, Key: attachment.key }))
    ).Body?.transformToByteArray();
    s3.destroy();
    // The objects can be there before the run that wrote them has finished and said so.
    const archiveLine = /\] archive\b[^\n]* [1-9]\d* archived, [^\n]*rate-limit waits \d+/;
    await waitFor(
      () => (archiveLine.test(started.output()) ? true : undefined),
      20_000,
      'the status line of a finished archive run',
    );
    const exit = await started.interrupt();

    // Assess
    expect(sms.stdout).toContain('"messageStatus"');
    expect(smsManifest.message).toMatchObject({ id: smsId, type: 'SMS' });
    expect(faxManifest.message).toMatchObject({ id: faxId, type: 'Fax' });
    expect(attachment.key.startsWith(keys.faxKey.replace(/message\.json$/, 'attachments/'))).toBe(
      true,
    );
    expect(attachmentBytes?.byteLength).toBe(attachment.size);
    expect(
      createHash('sha256')
        .update(attachmentBytes ?? new Uint8Array())
        .digest('hex'),
    ).toBe(attachment.sha256);
    const output = started.output();
    expect(output).toMatch(/POST \/sms\s+202 -> send-sms/);
    expect(output).toMatch(/POST \/fax\s+202 -> send-fax/);
    expect(output).toMatch(archiveLine);
    // npm itself ends by the same SIGINT (as at a terminal); the stack below it stopped cleanly.
    expect(exit.code === 0 || exit.signal === 'SIGINT').toBe(true);
    expect(output).toContain('SIGINT: stopping everything');
    expect(output).toContain('Stopped.');
    const urls = [
      info.apiUrl,
      info.s3Endpoint,
      info.dynamodbEndpoint,
      info.awsServicesEndpoint,
      info.ringCentral.server,
      info.ringCentral.mediaServer ?? expect.unreachable(),
    ];
    expect(await Promise.all(urls.map(refusesConnections))).toEqual(urls.map(() => true));
  });
});
