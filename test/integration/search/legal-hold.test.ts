import {
  DeleteObjectCommand,
  GetObjectLegalHoldCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOLD_USAGE } from '../../../cli/archive/hold-arguments.ts';
import { runHoldCommand } from '../../../cli/archive/hold-command.ts';
import type { ArchiveTargets } from '../../../cli/archive/targets.ts';
import { createS3ArchiveReader } from '../../../lib/aws/s3-archive-reader.ts';
import { createS3LegalHolds } from '../../../lib/aws/s3-legal-hold.ts';
import { matchesManifest, partyDigits } from '../../../lib/search/criteria.ts';
import { messageFolder } from '../../../lib/search/legal-hold.ts';
import {
  FREQUENT_PARTY,
  type GeneratedMessage,
  generatedMessages,
} from '../../support/generated-archive.ts';
import { type LocalS3, startS3rver } from '../../support/s3rver.ts';

const LOCKED = 'held-archive';
const UNLOCKED = 'plain-archive';
const DAY_MS = 86_400_000;
const MESSAGES = 40;
const QUERY = ['--party', FREQUENT_PARTY, '--from', '2026-01-01', '--to', '2026-12-31'];

describe('archive:hold over the local S3 with Object Lock', () => {
  let s3: LocalS3;
  let now = Date.parse('2026-12-06T12:00:00.000Z');
  const messages: GeneratedMessage[] = [...generatedMessages(MESSAGES, 7)];
  const criteria = { party: partyDigits(FREQUENT_PARTY), from: '2026-01-01', to: '2027-01-01' };
  const matching = messages.filter((message) =>
    matchesManifest(message.key, message.manifest, {
      ...criteria,
      from: '2026-01-01T00:00:00.000Z',
      to: '2027-01-01T00:00:00.000Z',
    }),
  );
  const other = messages.find((message) => !matching.includes(message)) as GeneratedMessage;

  const run = async (argv: string[], bucket = LOCKED) => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runHoldCommand(argv, {
      stdout: (line) => stdout.push(line),
      stderr: (text) => stderr.push(text),
      open: async (): Promise<ArchiveTargets> => ({
        reader: createS3ArchiveReader({ bucket, client: s3.client }),
        holds: createS3LegalHolds({ bucket, client: s3.client }),
        description: bucket,
        close() {},
      }),
    });
    return { code, stdout, stderr: stderr.join('') };
  };
  const versionsUnder = async (prefix: string) => {
    const listed = await s3.client.send(
      new ListObjectVersionsCommand({ Bucket: LOCKED, Prefix: prefix }),
    );
    return (listed.Versions ?? []).map((version) => ({
      key: version.Key as string,
      versionId: version.VersionId as string,
    }));
  };
  const holdOf = async (version: { key: string; versionId: string }) => {
    const answer = await s3.client.send(
      new GetObjectLegalHoldCommand({
        Bucket: LOCKED,
        Key: version.key,
        VersionId: version.versionId,
      }),
    );
    return answer.LegalHold?.Status;
  };
  const deleteVersion = async (version: { key: string; versionId: string }) => {
    try {
      await s3.client.send(
        new DeleteObjectCommand({ Bucket: LOCKED, Key: version.key, VersionId: version.versionId }),
      );
      return 'deleted';
    } catch (error) {
      return (error as Error).name;
    }
  };

  beforeAll(async () => {
    s3 = await startS3rver({ clock: () => now });
    await s3.createBucket(LOCKED, {
      objectLock: { defaultRetention: { mode: 'COMPLIANCE', days: 1 } },
    });
    await s3.createBucket(UNLOCKED);
    const put = (bucket: string, key: string, body: string | Buffer) =>
      s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    for (const message of messages) {
      for (const attachment of message.attachments)
        await put(LOCKED, attachment.key, attachment.bytes);
      await put(LOCKED, message.key, message.text);
    }
    // A second version of a matching message.json (as marking it deleted writes): held too.
    await put(
      LOCKED,
      (matching[0] as GeneratedMessage).key,
      (matching[0] as GeneratedMessage).text,
    );
    await put(
      UNLOCKED,
      (matching[0] as GeneratedMessage).key,
      (matching[0] as GeneratedMessage).text,
    );
  });

  afterAll(async () => {
    await s3.stop();
  });

  it('places a hold on every version of each matching message, and placing it again changes nothing', async () => {
    // Prepare
    expect(matching.length).toBeGreaterThan(2);
    expect(matching.some((message) => message.attachments.length > 0)).toBe(true);
    const expectedKeys = matching.map((message) => message.key).sort();
    const versions = (
      await Promise.all(matching.map((message) => versionsUnder(messageFolder(message.key))))
    ).flat();

    // Act
    const placed = await run(['--place', ...QUERY]);
    const again = await run([...QUERY, '--place']);

    // Assess
    for (const result of [placed, again]) {
      expect(result.code).toBe(0);
      expect(result.stdout.slice(0, -1).sort()).toEqual(expectedKeys.map((key) => `HELD ${key}`));
      expect(result.stdout.at(-1)).toBe(
        `DONE legal hold ON on ${matching.length} messages (${versions.length} object versions)`,
      );
    }
    expect(placed.stderr).toContain(`Placing a legal hold in ${LOCKED}`);
    expect(versions.length).toBe(
      matching.length + matching.reduce((sum, message) => sum + message.attachments.length, 0) + 1,
    );
    expect(await Promise.all(versions.map(holdOf))).toEqual(versions.map(() => 'ON'));
    const [otherVersion] = await versionsUnder(other.key);
    await expect(holdOf(otherVersion as { key: string; versionId: string })).rejects.toThrow();
  });

  it('keeps held objects past their retention until the hold is lifted; the rest may go', async () => {
    // Prepare
    const held = await versionsUnder(messageFolder((matching[1] as GeneratedMessage).key));
    const [unheld] = await versionsUnder(other.key);
    now += 2 * DAY_MS;

    // Act
    const refused = await Promise.all(held.map(deleteVersion));
    const expired = await deleteVersion(unheld as { key: string; versionId: string });
    const lifted = await run(['--lift', ...QUERY]);
    const afterLift = await Promise.all(held.map(deleteVersion));

    // Assess
    expect(refused).toEqual(held.map(() => 'AccessDenied'));
    expect(expired).toBe('deleted');
    expect(lifted.code).toBe(0);
    expect(lifted.stdout.at(-1)).toMatch(/^DONE legal hold OFF on \d+ messages/);
    expect(lifted.stdout).toContain(`RELEASED ${(matching[1] as GeneratedMessage).key}`);
    expect(afterLift).toEqual(held.map(() => 'deleted'));
  });

  it('names each message it could not set and exits 1 (a bucket without Object Lock or versions)', async () => {
    // Act
    const { code, stdout } = await run(['--place', ...QUERY], UNLOCKED);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toEqual([
      expect.stringMatching(
        new RegExp(`^FAILED ${(matching[0] as GeneratedMessage).key}: \\w+: [^\\n]+$`),
      ),
      'INCOMPLETE legal hold ON on 0 messages (0 object versions); 1 messages could not be set',
    ]);
  });

  it('answers a wrong command line with one line and the usage, exit code 2', async () => {
    // Act
    const results = await Promise.all([
      run(QUERY),
      run(['--place', '--lift', ...QUERY]),
      run(['--place', '--party', FREQUENT_PARTY]),
      run(['--place', ...QUERY, '--produce', '/tmp/x']),
      run(['--help']),
    ]);

    // Assess
    expect(results.map((result) => result.code)).toEqual([2, 2, 2, 2, 0]);
    expect(results.slice(0, 4).map((result) => result.stderr.split('\n')[0])).toEqual([
      'Say --place or --lift (one of them)',
      'Say --place or --lift (one of them)',
      '--from is required',
      '--produce is an option of archive:search',
    ]);
    for (const result of results.slice(0, 4)) expect(result.stderr).toContain(HOLD_USAGE);
    expect(results[4]?.stdout).toEqual([HOLD_USAGE]);
  });
});
