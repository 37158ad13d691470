/**
 * `npm run backfill` as a user runs it: the command (cli/backfill.ts) in its own process, told
 * by the environment to use a RingCentral and a bucket (the local ones here), printing plain
 * progress lines because its output is a pipe; Ctrl+C stops it with the checkpoint saved and a
 * rerun finishes the job.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArchiveHarness,
  START_DATE,
  startArchiveHarness,
  UNLIMITED_RATE_LIMITS,
} from '../archive/archive-harness.ts';
import { EMULATOR_USER_EXTENSIONS } from '../archive/emulator-extensions.ts';
import { bucketStore, compareWithMailbox } from '../backfill/harness.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXTENSIONS = EMULATOR_USER_EXTENSIONS.slice(0, 2);

interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the command; `onOutput` sees stdout as it arrives. */
function startCommand(
  args: readonly string[],
  env: Record<string, string>,
  onOutput?: (text: string, child: ChildProcess) => void,
): Promise<CommandRun> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(PROJECT_ROOT, 'cli/backfill.ts'), ...args],
    { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    onOutput?.(stdout, child);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run backfill', () => {
  let harness: ArchiveHarness;
  let directory: string;
  let environment: Record<string, string>;

  beforeAll(async () => {
    harness = await startArchiveHarness({
      rateLimits: UNLIMITED_RATE_LIMITS,
      exportStepMs: 50,
      mailbox: { seed: 5, extensions: 2, messagesPerExtension: 15, maxAttachmentBytes: 20_000 },
    });
    directory = await mkdtemp(join(tmpdir(), 'backfill-command-'));
    environment = {
      RINGCENTRAL_SERVER: harness.emulator.url,
      RINGCENTRAL_MEDIA_SERVER: harness.emulator.mediaUrl,
      RINGCENTRAL_CLIENT_ID: harness.emulator.credentials.clientId,
      RINGCENTRAL_CLIENT_SECRET: harness.emulator.credentials.clientSecret,
      RINGCENTRAL_JWT: harness.emulator.credentials.jwt,
      AWS_ENDPOINT_URL_S3: harness.s3.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: harness.dynamo.endpoint,
      STATE_TABLE_NAME: harness.tableName,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      LOCAL_DATA_DIR: directory,
    };
  });

  afterAll(async () => {
    await harness.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('says what it uses, prints progress lines and archives every message', async () => {
    // Prepare
    await bucketStore(harness, 'command');

    // Act
    const run = await startCommand(['--from', START_DATE], {
      ...environment,
      ARCHIVE_BUCKET: 'command',
    });
    const differences = await compareWithMailbox(harness, 'command', EXTENSIONS);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`RingCentral: ${harness.emulator.url} (from RINGCENTRAL_SERVER`);
    expect(run.stdout).toContain('S3: bucket command');
    expect(run.stdout).toContain(`Locators: table ${harness.tableName}`);
    expect(run.stdout).toContain('Reach: the whole account, every extension');
    expect(run.stdout).toMatch(/\[#+\]\s+100%\s+30\/30 messages/);
    expect(run.stdout).toContain('Done (export)');
    expect(run.stdout).not.toContain('\r');
    expect(differences).toMatchObject({ missingMessages: [], badAttachments: [] });
  });

  it('stops on Ctrl+C with the checkpoint saved, and the same command then finishes', async () => {
    // Prepare
    await bucketStore(harness, 'interrupted');
    const env = { ...environment, ARCHIVE_BUCKET: 'interrupted' };
    harness.emulator.setFaults({ latencyMs: 400 });
    let signalled = false;

    // Act
    const stopped = await startCommand(['--from', START_DATE], env, (stdout, child) => {
      if (!signalled && stdout.includes('Backfilling')) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    harness.emulator.setFaults({});
    const resumed = await startCommand(['--from', START_DATE], env);
    const differences = await compareWithMailbox(harness, 'interrupted', EXTENSIONS);

    // Assess
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('Stopping; run the same command again to resume.');
    expect(stopped.stdout).toContain('Interrupted; the checkpoint is saved.');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('Done (export)');
    expect(differences).toMatchObject({ missingMessages: [], badAttachments: [] });
  });

  it('explains a wrong command line', async () => {
    // Act
    const run = await startCommand(['--from', '2024-01-01', '--types', 'Text'], environment);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--types: Text is not one of Fax, SMS, VoiceMail, Pager');
    expect(run.stderr).toContain('Usage: npm run backfill --');
  });
});
