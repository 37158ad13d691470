/**
 * `npm start` with RINGCENTRAL_SERVER, _CLIENT_ID, _CLIENT_SECRET and _JWT: the stack uses that
 * RingCentral (here a local RingCentral the test starts, standing in for a real account at
 * another address), says so, starts no local one, and keeps purge a dry run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../local/ringcentral/index.ts';
import { READY, type StackProcess, startStackProcess, waitFor } from './stack-process.ts';

describe('npm start against another RingCentral', () => {
  let account: RunningEmulator;
  let dataDir = '';
  const stacks: StackProcess[] = [];

  beforeAll(async () => {
    account = await startEmulator({ mailbox: 'default' });
    dataDir = await mkdtemp(join(tmpdir(), 'local-stack-remote-'));
  });

  afterAll(async () => {
    for (const stack of stacks) stack.kill();
    await account.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('uses it, says so plainly, and keeps purge a dry run', async () => {
    // Prepare
    const stack = startStackProcess(dataDir, {
      RINGCENTRAL_SERVER: account.url,
      RINGCENTRAL_MEDIA_SERVER: account.mediaUrl,
      RINGCENTRAL_CLIENT_ID: account.credentials.clientId,
      RINGCENTRAL_CLIENT_SECRET: account.credentials.clientSecret,
      RINGCENTRAL_JWT: account.credentials.jwt,
      RINGCENTRAL_SMS_FROM: '+16505550101',
    });
    stacks.push(stack);

    // Act
    await waitFor(() => (stack.output().includes(READY) ? true : undefined), 20_000, 'ready');
    const info = await stack.info();
    await stack.interrupt();

    // Assess
    expect(info.ringCentral).toEqual({
      mode: 'remote',
      server: account.url,
      mediaServer: account.mediaUrl,
    });
    expect(info.purgeDryRun).toBe(true);
    expect(stack.output()).toContain(`REAL RingCentral at ${account.url}`);
    expect(stack.output()).toContain('purge:         dry run');
    // The forced token-refresh at start logged in to that account, once.
    expect(account.stats().oauthRequests.jwt).toBe(1);
  });

  it('refuses to start with only some of the four variables, naming the missing ones', async () => {
    // Prepare
    const stack = startStackProcess(dataDir, { RINGCENTRAL_SERVER: account.url });
    stacks.push(stack);

    // Act
    const exit = await stack.exited;

    // Assess
    expect(exit.code).not.toBe(0);
    expect(stack.output()).toContain(
      'To use a real RingCentral, also set RINGCENTRAL_CLIENT_ID, RINGCENTRAL_CLIENT_SECRET, RINGCENTRAL_JWT',
    );
  });
});
