import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_USAGE } from '../../../cli/archive/search-arguments.ts';
import { runSearchCommand } from '../../../cli/archive/search-command.ts';
import type { ArchiveTargets } from '../../../cli/archive/targets.ts';
import { createS3ArchiveReader } from '../../../lib/aws/s3-archive-reader.ts';
import { matchesManifest, partyDigits, type SearchCriteria } from '../../../lib/search/criteria.ts';
import { searchArchive } from '../../../lib/search/local-search.ts';
import {
  FREQUENT_PARTY,
  GENERATED_ACCOUNT,
  type GeneratedMessage,
  generatedMessages,
  s3rverDirectory,
  writeGeneratedArchive,
} from '../../support/generated-archive.ts';
import { type LocalS3, localS3ParentDirectory, startS3rver } from '../../support/s3rver.ts';

const BUCKET = 'generated-archive';
const MESSAGES = 10_000;

describe('archive search over a generated archive of 10,000 messages', () => {
  let parent: string;
  let s3: LocalS3;
  let bucketDirectory: string;
  // Generated once: each message is built with its digests and JSON, which the brute-force
  // filters would otherwise repeat for all 10,000 messages in every test.
  let messages: GeneratedMessage[] = [];
  const reader = () => createS3ArchiveReader({ bucket: BUCKET, client: s3.client });
  const bruteForce = (criteria: SearchCriteria) => {
    const keys: string[] = [];
    for (const message of messages) {
      if (matchesManifest(message.key, message.manifest, criteria)) keys.push(message.key);
    }
    return keys.sort();
  };
  const search = async (criteria: SearchCriteria) => {
    const keys: string[] = [];
    for await (const match of searchArchive(reader(), criteria)) keys.push(match.key);
    return keys;
  };
  const run = async (argv: string[]) => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runSearchCommand(argv, {
      stdout: (line) => stdout.push(line),
      stderr: (text) => stderr.push(text),
      open: async (): Promise<ArchiveTargets> => ({
        reader: reader(),
        description: BUCKET,
        close() {},
      }),
    });
    return { code, stdout, stderr: stderr.join('') };
  };

  beforeAll(async () => {
    parent = await mkdtemp(join(await localS3ParentDirectory(), 'archive-search-'));
    s3 = await startS3rver({ parentDirectory: parent });
    await s3.createBucket(BUCKET);
    bucketDirectory = join(await s3rverDirectory(parent), BUCKET);
    expect(await writeGeneratedArchive(bucketDirectory, MESSAGES)).toBe(MESSAGES);
    messages = [...generatedMessages(MESSAGES)];
  });

  afterAll(async () => {
    await s3.stop();
    await rm(parent, { recursive: true, force: true });
  });

  // The searches are narrowed by extension and dates (what the key layout prunes) to keep the
  // test fast on s3rver; the bench searches the whole range of 10,000 and 100,000 messages.
  it('finds every message to or from a number in March, as a brute-force filter does', async () => {
    // Prepare
    const criteria: SearchCriteria = {
      party: partyDigits('+1 650 555 0100'),
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
      extensionIds: ['5001'],
    };

    // Act
    const found = await search(criteria);

    // Assess
    const expected = bruteForce(criteria);
    expect(expected.length).toBeGreaterThan(20);
    expect(found).toEqual(expected);
  });

  it('narrows by type, direction, extension and subject text exactly as the brute-force filter', async () => {
    // Prepare
    const criteria: SearchCriteria = {
      from: '2026-01-15T12:00:00.000Z',
      to: '2026-02-20T00:00:00.000Z',
      types: ['fax', 'sms'],
      directions: ['inbound'],
      extensionIds: ['5002'],
      text: 'invoice',
      accountId: GENERATED_ACCOUNT,
    };

    // Act
    const found = await search(criteria);

    // Assess
    const expected = bruteForce(criteria);
    expect(expected.length).toBeGreaterThan(3);
    expect(found).toEqual(expected);
  });

  it('produces the matching message.json files and attachments with SHA256SUMS that verify', async () => {
    // Prepare
    const directory = await mkdtemp(join(tmpdir(), 'production-'));
    const argv = [
      '--party',
      FREQUENT_PARTY,
      '--from',
      '2026-03-01',
      '--to',
      '2026-03-31',
      '--extension',
      '5001',
      '--produce',
      directory,
    ];

    // Act
    const { code, stdout } = await run(argv);

    // Assess
    const criteria: SearchCriteria = {
      party: '16505550100',
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
      extensionIds: ['5001'],
    };
    const expected = messages.filter((message) =>
      matchesManifest(message.key, message.manifest, criteria),
    );
    expect(code).toBe(0);
    expect(stdout.map((line) => line.split('\t')[0])).toEqual(
      expected.map((message) => message.key).sort(),
    );
    const sums = (await readFile(join(directory, 'SHA256SUMS'), 'utf8')).trim().split('\n');
    const files = expected.flatMap((message) => [
      message.key,
      ...message.attachments.map((attachment) => attachment.key),
    ]);
    expect(sums.map((line) => line.slice(66)).sort()).toEqual(files.sort());
    expect(expected.some((message) => message.attachments.length > 0)).toBe(true);
    for (const line of sums) {
      const bytes = await readFile(join(directory, line.slice(66)));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(line.slice(0, 64));
    }
    await rm(directory, { recursive: true, force: true });
  });

  it('fails a production naming an attachment that is not as message.json records it', async () => {
    // Prepare
    const directory = await mkdtemp(join(tmpdir(), 'production-'));
    const victim = messages.find(
      (message) => message.attachments.length > 0 && message.key.includes('/5003/2026/02/'),
    );
    const attachment = victim?.attachments[0];
    if (!victim || !attachment)
      throw new Error('the generated archive has no attachment in February');
    await writeFile(
      join(bucketDirectory, `${attachment.key}._S3rver_object`),
      Buffer.concat([attachment.bytes, Buffer.from('!')]),
    );
    const day = victim.manifest.message.creationTime?.slice(0, 10) ?? '';

    // Act
    const { code, stdout } = await run([
      '--from',
      day,
      '--to',
      day,
      '--extension',
      '5003',
      '--produce',
      directory,
    ]);

    // Assess
    expect(code).toBe(1);
    expect(stdout.filter((line) => line.startsWith('NOT AS RECORDED'))).toEqual([
      expect.stringContaining(`NOT AS RECORDED ${attachment.key}: sha256`),
    ]);
    await rm(directory, { recursive: true, force: true });
  });

  it('answers a wrong command line with the problem and the usage, exit code 2', async () => {
    // Act
    const unknown = await run(['--from', '2026-01-01', '--to', '2026-02-01', '--colour', 'red']);
    const missing = await run(['--party', '123']);
    const help = await run(['--help']);

    // Assess
    expect([unknown.code, missing.code, help.code]).toEqual([2, 2, 0]);
    expect(unknown.stderr).toContain("Unknown option '--colour'");
    expect(missing.stderr).toContain('--from is required');
    expect(unknown.stderr).toContain(SEARCH_USAGE);
    expect(help.stdout).toEqual([SEARCH_USAGE]);
  });
});
