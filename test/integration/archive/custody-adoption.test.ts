import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADOPT_USAGE } from '../../../cli/archive/adopt-arguments.ts';
import { runAdoptCommand } from '../../../cli/archive/adopt-command.ts';
import { parseCustodyManifest } from '../../../lib/archive/custody.ts';
import type { CustodyHeadStore } from '../../../lib/archive/custody-ports.ts';
import { type CustodyBreak, verifyCustody } from '../../../lib/archive/custody-verify.ts';
import { accountOfKey } from '../../../lib/archive/layout.ts';
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

const [BEFORE_CUSTODY, WITH_CUSTODY] = EMULATOR_USER_EXTENSIONS as [string, string];

describe('adopting objects archived before custody began', () => {
  let harness: ArchiveHarness;
  let heads: CustodyHeadStore;
  let preCustody: string[];
  let accountId: string;
  let strayKey: string;
  const reader = () => createS3ArchiveReader({ bucket: ARCHIVE_BUCKET, client: harness.s3.client });
  const keysUnder = async (prefix: string) => {
    const keys: string[] = [];
    for await (const listed of reader().list(prefix)) keys.push(listed.key);
    return keys;
  };
  const verify = async () => {
    const breaks: CustodyBreak[] = [];
    const summary = await verifyCustody({
      reader: reader(),
      heads,
      maxGapMs: 86_400_000,
      onBreak: (found) => breaks.push(found),
    });
    return { passed: summary.passed, breaks };
  };
  const adopt = async (argv: string[] = []) => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runAdoptCommand(argv, {
      stdout: (line) => stdout.push(line),
      stderr: (text) => stderr.push(text),
      open: async () => ({
        reader: reader(),
        heads,
        objects: harness.objects,
        description: ARCHIVE_BUCKET,
        close() {},
      }),
    });
    return { code, stdout, stderr: stderr.join('') };
  };
  const putText = (key: string, body: string) =>
    harness.s3.client.send(new PutObjectCommand({ Bucket: ARCHIVE_BUCKET, Key: key, Body: body }));

  beforeAll(async () => {
    harness = await startArchiveHarness({
      rateLimits: UNLIMITED_RATE_LIMITS,
      mailbox: { seed: 23, extensions: 2, messagesPerExtension: 6, maxAttachmentBytes: 500 },
    });
    heads = createCustodyHeadStore(
      createStateTable({ tableName: harness.tableName, client: harness.dynamo.client }),
    );
    const deadline = () => ({ deadline: Date.now() + 60_000 });
    // Archived by a release without custody.
    await harness.createArchiver().archiveExtension(BEFORE_CUSTODY, deadline());
    const [first] = await keysUnder('archive/');
    accountId = accountOfKey(first ?? '') as string;
    preCustody = await keysUnder(`archive/${accountId}/${BEFORE_CUSTODY}/`);
    // S3 dates objects to the second: custody begins a whole second after the last of them.
    await sleep(1_100);
    const run = await harness
      .createArchiver({ custody: { heads } })
      .archiveExtension(WITH_CUSTODY, deadline());
    expect(run.failures).toEqual([]);
    // Written after custody began by something other than the archive: never adopted.
    strayKey = `archive/${accountId}/${BEFORE_CUSTODY}/2026/01/01/999/message.json`;
    await putText(strayKey, '{}');
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('verify names the pre-custody objects as extra, pointing at archive:adopt', async () => {
    // Act
    const { passed, breaks } = await verify();

    // Assess
    expect(preCustody.length).toBeGreaterThan(3);
    expect(passed).toBe(false);
    expect(breaks.map((found) => found.kind)).toEqual(breaks.map(() => 'extra-object'));
    const hinted = breaks.filter((found) => found.detail.includes('npm run archive:adopt'));
    expect(hinted.map((found) => found.key).sort()).toEqual([...preCustody].sort());
    expect(breaks.find((found) => found.key === strayKey)?.detail).toBe(
      'in the bucket, in no custody manifest',
    );
  });

  it('adopts exactly the pre-custody objects into the chain, names the stray one, and adopts nothing new a second time', async () => {
    // Act
    const first = await adopt();
    const second = await adopt(['--account', accountId]);
    const after = await verify();

    // Assess
    expect(first.code).toBe(1);
    expect(first.stdout).toEqual([
      expect.stringMatching(
        new RegExp(`^NOT ADOPTED ${strayKey}: written .+, not before custody began `),
      ),
      expect.stringMatching(
        new RegExp(`^MANIFEST custody/${accountId}/.+ \\(account ${accountId}, sequence 2\\)$`),
      ),
      `INCOMPLETE ${preCustody.length} objects adopted in 1 manifests; 1 not adopted (written after custody began)`,
    ]);
    const manifestKey = (first.stdout[1] as string).split(' ')[1] as string;
    const text = await (
      await harness.s3.client.send(
        new GetObjectCommand({ Bucket: ARCHIVE_BUCKET, Key: manifestKey }),
      )
    ).Body?.transformToString();
    const manifest = parseCustodyManifest(text ?? '');
    expect(manifest).toMatchObject({ kind: 'adoption', sequence: 2 });
    expect(manifest.previous?.key).toMatch(new RegExp(`^custody/${accountId}/`));
    expect(manifest.objects.map((entry) => entry.key).sort()).toEqual([...preCustody].sort());
    expect(second.code).toBe(1);
    expect(second.stdout.at(-1)).toBe(
      'INCOMPLETE 0 objects adopted in 0 manifests; 1 not adopted (written after custody began)',
    );
    expect(after.breaks.map((found) => `${found.kind} ${found.key}`)).toEqual([
      `extra-object ${strayKey}`,
    ]);
  });

  it('holds adopted objects to their record: once the stray object is gone the archive verifies, and an altered adopted object is a break', async () => {
    // Prepare
    await harness.s3.client.send(
      new DeleteObjectCommand({ Bucket: ARCHIVE_BUCKET, Key: strayKey }),
    );
    const victim = preCustody.find((key) => key.endsWith('message.json')) as string;

    // Act
    const clean = await adopt();
    const verified = await verify();
    await putText(victim, '{"altered":true}');
    const altered = await verify();

    // Assess
    expect(clean.code).toBe(0);
    expect(clean.stdout).toEqual([
      'DONE 0 objects adopted in 0 manifests; 0 not adopted (written after custody began)',
    ]);
    expect(verified).toEqual({ passed: true, breaks: [] });
    expect(altered.breaks.map((found) => `${found.kind} ${found.key}`)).toEqual([
      `altered-object ${victim}`,
    ]);
  });

  it('answers a wrong command line with one line and the usage, exit code 2', async () => {
    // Act
    const bad = await adopt(['--account', '../x']);
    const help = await adopt(['--help']);

    // Assess
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('--account must be an account id, not ../x');
    expect(bad.stderr).toContain(ADOPT_USAGE);
    expect(help).toMatchObject({ code: 0, stdout: [ADOPT_USAGE] });
  });
});
