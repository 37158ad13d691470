import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
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
    for (let attempt = 0; attempt < 200 && !output.includes('RINGCENTRAL_JWT='); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
    // The banner's `export NAME='value'` lines, as a shell would read them
    const exported = new Map(
      [...output.matchAll(/^ {2}export ([A-Z_]+)='?([^'\s]*)'?$/gm)].map(
        (match) => [match[1] as string, match[2] as string] as const,
      ),
    );
    const secret = exported.get('RINGCENTRAL_CLIENT_SECRET') ?? '';
    const toolSources = await Promise.all(
      ['../../../cli/backfill/targets.ts', '../../../local/start.ts'].map((file) =>
        readFile(new URL(file, import.meta.url), 'utf8'),
      ),
    );

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
    expect([...exported.keys()]).toEqual([
      'RINGCENTRAL_SERVER',
      'RINGCENTRAL_MEDIA_SERVER',
      'RINGCENTRAL_CLIENT_ID',
      'RINGCENTRAL_CLIENT_SECRET',
      'RINGCENTRAL_JWT',
    ]);
    for (const name of exported.keys()) {
      for (const source of toolSources) expect(source).toContain(name);
    }
    expect(exported.get('RINGCENTRAL_SERVER')).toBe(url);
    expect(exported.get('RINGCENTRAL_CLIENT_ID')).toBe('cli-test-client');
    expect(exported.get('RINGCENTRAL_JWT')).toBe('cli-test-jwt');
    expect(secret).toBe('emulator-client-secret');
    expect(token.status).toBe(200);
  });
});
