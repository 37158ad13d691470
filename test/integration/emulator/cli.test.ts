import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../../local/ringcentral/cli.ts', import.meta.url));

describe('npm run emulator', () => {
  let child: ChildProcess | undefined;

  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('prints its URL and the credentials from the environment, and serves them', async () => {
    // Prepare
    child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0'], {
      env: {
        ...process.env,
        RC_EMULATOR_CLIENT_ID: 'cli-test-client',
        RC_EMULATOR_JWT: 'cli-test-jwt',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    for (let attempt = 0; attempt < 200 && !output.includes('RC_JWT='); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
    const secret = /RC_CLIENT_SECRET=(\S+)/.exec(output)?.[1] ?? '';

    // Act
    const token = await fetch(`${url}/restapi/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`cli-test-client:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: 'cli-test-jwt',
      }),
    });

    // Assess
    expect(output).toContain('RC_CLIENT_ID=cli-test-client');
    expect(output).toContain('RC_JWT=cli-test-jwt');
    expect(secret).toBe('emulator-client-secret');
    expect(token.status).toBe(200);
  });
});
