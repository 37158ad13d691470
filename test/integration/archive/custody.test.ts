import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERIFY_USAGE } from '../../../cli/archive/verify-arguments.ts';
import { runVerifyCommand } from '../../../cli/archive/verify-command.ts';
import { parseCustodyManifest, serializeCustodyManifest } from '../../../lib/archive/custody.ts';
import { appendCustodyManifest } from '../../../lib/archive/custody-ledger.ts';
import type { CustodyHeadStore } from '../../../lib/archive/custody-ports.ts';
import { type CustodyBreak, verifyCustody } from '../../../lib/archive/custody-verify.ts';
import { createCustodyHeadStore } from '../../../lib/aws/custody-head-store.ts';
import { createS3ArchiveReader } from '../../../lib/aws/s3-archive-reader.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import {
  ARCHIVE_BUCKET,
  type ArchiveHarness,
  startArchiveHarness,
  UNLIMITED_RATE_LIMITS,
} from './archive-harness.ts';
import { EMULATOR_USER_EXTENSIONS } from './emulator-extensions.ts';

const DAY_MS = 86_400_000;
const [FIRST, SECOND] = EMULATOR_USER_EXTENSIONS as [string, string];

describe('the chain of custody of archive runs', () => {
  let harness: ArchiveHarness;
  let heads: CustodyHeadStore;

  const verify = async (sampleRate = 1) => {
    const breaks: CustodyBreak[] = [];
    const summary = await verifyCustody({
      reader: createS3ArchiveReader({ bucket: ARCHIVE_BUCKET, client: harness.s3.client }),
      heads,
      sampleRate,
      maxGapMs: 7 * DAY_MS,
      onBreak: (found) => breaks.push(found),
    });
    return { summary, breaks };
  };
  const getText = async (key: string) => {
    const result = await harness.s3.client.send(
      new GetObjectCommand({ Bucket: ARCHIVE_BUCKET, Key: key }),
    );
    return (await result.Body?.transformToString()) ?? '';
  };
  const putText = (key: string, body: string) =>
    harness.s3.client.send(new PutObjectCommand({ Bucket: ARCHIVE_BUCKET, Key: key, Body: body }));

  const command = async (argv: string[]) => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runVerifyCommand(argv, {
      stdout: (line) => stdout.push(line),
      stderr: (text) => stderr.push(text),
      open: async () => ({
        reader: createS3ArchiveReader({ bucket: ARCHIVE_BUCKET, client: harness.s3.client }),
        heads,
        description: ARCHIVE_BUCKET,
        close() {},
      }),
    });
    return { code, stdout, stderr: stderr.join('') };
  };

  beforeAll(async () => {
    harness = await startArchiveHarness({
      rateLimits: UNLIMITED_RATE_LIMITS,
      mailbox: { seed: 14, extensions: 2, messagesPerExtension: 30, maxAttachmentBytes: 2_000 },
    });
    heads = createCustodyHeadStore(
      createStateTable({ tableName: harness.tableName, client: harness.dynamo.client }),
    );
    const archiver = harness.createArchiver({ custody: { heads } });
    for (const extension of [FIRST, SECOND]) {
      const run = await archiver.archiveExtension(extension, { deadline: Date.now() + 120_000 });
      expect(run.failures).toEqual([]);
    }
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('links each run manifest to the one before it, and an untouched archive verifies', async () => {
    // Prepare
    const reader = createS3ArchiveReader({ bucket: ARCHIVE_BUCKET, client: harness.s3.client });
    const manifests = [];
    for await (const listed of reader.list('custody/'))
      manifests.push(parseCustodyManifest(await getText(listed.key)));

    // Act
    const { summary, breaks } = await verify();

    // Assess
    const sequences = manifests.map((manifest) => manifest.sequence).sort();
    expect(sequences).toEqual([1, 2]);
    const first = manifests.find((manifest) => manifest.sequence === 1);
    expect(first?.previous).toBeNull();
    expect(manifests.find((manifest) => manifest.sequence === 2)?.previous?.key).toMatch(
      /^custody\/\d+\/\d{4}\/\d{2}\/\d{2}\/.+\.json$/,
    );
    expect(first?.objects.some((entry) => entry.key.endsWith('message.json'))).toBe(true);
    expect(breaks).toEqual([]);
    expect(summary).toMatchObject({ passed: true, manifests: 2 });
    expect(summary.hashed).toBe(summary.objects);
  });

  it('archive:verify passes an untouched archive (exit 0) and answers usage errors with exit 2', async () => {
    // Act
    const passed = await command(['--sample', '50%']);
    const unknown = await command(['--colour']);
    const help = await command(['--help']);

    // Assess
    expect(passed.code).toBe(0);
    expect(passed.stdout).toEqual([
      expect.stringMatching(/^PASS 2 manifests of 1 accounts, \d+ objects/),
    ]);
    expect(passed.stderr).toContain('objects');
    expect([unknown.code, help.code]).toEqual([2, 0]);
    expect(unknown.stderr).toContain(VERIFY_USAGE);
    expect(help.stdout).toEqual([VERIFY_USAGE]);
  });

  it('serialises concurrent appends into one chain through the conditional head', async () => {
    // Prepare
    const accountId = 'concurrent';
    const content = (runId: string) => ({
      accountId,
      runId,
      kind: 'archive' as const,
      startedAt: '2026-01-01T00:00:00.000Z',
      completedAt: '2026-01-01T00:01:00.000Z',
      objects: [],
    });

    // Act
    const appended = await Promise.all(
      ['a', 'b', 'c', 'd'].map((runId) =>
        appendCustodyManifest(harness.objects, heads, content(runId)),
      ),
    );

    // Assess
    expect(appended.map((head) => head.sequence).sort()).toEqual([1, 2, 3, 4]);
    const chain = await Promise.all(
      appended.map(async (head) => parseCustodyManifest(await getText(head.key))),
    );
    const bySequence = new Map(
      chain.map((manifest, index) => [manifest.sequence, appended[index]]),
    );
    for (const manifest of chain) {
      if (manifest.sequence === 1) expect(manifest.previous).toBeNull();
      else expect(manifest.previous?.sha256).toBe(bySequence.get(manifest.sequence - 1)?.sha256);
    }
    expect((await heads.get(accountId))?.sequence).toBe(4);
  });

  it('fails naming each break: an altered attachment, an extra object, a deleted manifest, a manifest edited out of the chain', async () => {
    // Prepare: the concurrent chain of the test before stays intact and must not be reported.
    const reader = createS3ArchiveReader({ bucket: ARCHIVE_BUCKET, client: harness.s3.client });
    const custody = [];
    for await (const listed of reader.list('custody/')) {
      if (!listed.key.startsWith('custody/concurrent/')) custody.push(listed.key);
    }
    const [firstKey, secondKey] = await Promise.all(
      custody.map(async (key) => ({ key, manifest: parseCustodyManifest(await getText(key)) })),
    ).then((all) => all.sort((a, b) => a.manifest.sequence - b.manifest.sequence));
    const attachment = firstKey?.manifest.objects.find((entry) =>
      entry.key.includes('/attachments/'),
    );
    if (!firstKey || !secondKey || !attachment)
      throw new Error('the archive run wrote no attachment');
    const original = await getText(attachment.key);
    await putText(attachment.key, `${original.slice(0, -1)}X`);
    await putText('archive/999/1/2026/01/01/1/message.json', '{}');
    const edited = {
      ...secondKey.manifest,
      previous: { key: 'custody/999/2026/01/01/forged.json', sha256: '0'.repeat(64) },
    };
    await putText(secondKey.key, serializeCustodyManifest(edited));

    // Act
    const altered = await verify();
    const failed = await command([]);
    await harness.s3.client.send(
      new DeleteObjectCommand({ Bucket: ARCHIVE_BUCKET, Key: firstKey.key }),
    );
    const deleted = await verify(0.5);

    // Assess
    const named = (breaks: CustodyBreak[]) =>
      breaks.map((found) => `${found.kind} ${found.key}`).sort();
    expect(altered.summary.passed).toBe(false);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(
      `BREAK altered-object ${attachment.key}: ${altered.breaks.find((found) => found.kind === 'altered-object')?.detail}`,
    );
    expect(failed.stdout.at(-1)).toMatch(/^FAIL 4 breaks/);
    expect(named(altered.breaks)).toEqual(
      [
        `altered-object ${attachment.key}`,
        'extra-object archive/999/1/2026/01/01/1/message.json',
        `broken-link ${secondKey.key}`,
        `broken-link ${secondKey.key}`,
      ].sort(),
    );
    expect(named(deleted.breaks)).toEqual(
      expect.arrayContaining([
        `missing-manifest ${edited.previous.key}`,
        ...firstKey.manifest.objects
          .filter((entry) => !secondKey.manifest.objects.some((later) => later.key === entry.key))
          .map((entry) => `extra-object ${entry.key}`),
      ]),
    );
  });
});
