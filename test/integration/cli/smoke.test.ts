/**
 * `npm run smoke` against the local stack (started in-process, as `npm start` starts it), both
 * without an argument (stack.json) and as a deployment with `--stack` (the stack's outputs from
 * the local CloudFormation, the listing probe role from the local STS, the SDK pointed at them by
 * AWS_ENDPOINT_URL_*): every check passes on a fresh stack with its subscription, and the session
 * check fails, with RingCentral's reason and exit code 1, once the session is revoked.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, SECRET_NAMES, startLocalStack } from '../../../local/stack/stack.ts';
import { quietSchedule } from '../../support/quiet-schedule.ts';
import { runScript } from './run-script.ts';

let stack: LocalStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'smoke-'));
  stack = await startLocalStack({
    dataDir,
    apiPort: 0,
    // Nothing runs on its own during the test: it runs what it needs.
    schedule: quietSchedule(),
    print: () => undefined,
  });
  await stack.runJob('subscription-keeper');
  // Again, once the webhook is warm: on a loaded machine its cold start can outlast the local
  // RingCentral's handshake (SUB-521), as a real one's would; the keeper's next run repairs that.
  await stack.runJob('subscription-keeper');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Ends the stack's RingCentral session, as an admin revoking the app's token would. */
async function revokeSession(): Promise<void> {
  const secrets = new SecretsManagerClient({
    endpoint: stack.info.awsServicesEndpoint,
    region: stack.info.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: SECRET_NAMES.session }));
  const { accessToken } = JSON.parse(secret.SecretString ?? '{}') as { accessToken: string };
  const { clientId, clientSecret } = stack.emulator?.credentials ?? expect.unreachable();
  const response = await fetch(new URL('/restapi/oauth/revoke', stack.info.ringCentral.server), {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token: accessToken }),
  });
  expect(response.status).toBe(200);
}

/** The environment of a deployer whose SDK reaches the local stack's AWS endpoints. */
function deployerEnvironment(): Record<string, string> {
  const { info } = stack;
  return {
    AWS_REGION: info.region,
    AWS_ACCESS_KEY_ID: info.accessKeyId,
    AWS_SECRET_ACCESS_KEY: info.secretAccessKey,
    // Nothing of this machine's AWS configuration, if it has one, may take part.
    AWS_CONFIG_FILE: join(dataDir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dataDir, 'no-aws-credentials'),
    AWS_PROFILE: '',
    AWS_ENDPOINT_URL_CLOUDFORMATION: info.awsServicesEndpoint,
    AWS_ENDPOINT_URL_STS: info.awsServicesEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: info.awsServicesEndpoint,
    AWS_ENDPOINT_URL_S3: info.s3Endpoint,
  };
}

const CHECK_LINES = [
  'PASS session',
  'PASS subscription',
  'PASS archive listing',
  'SKIP alarm topic',
  'PASS signed request',
];

describe('npm run smoke', () => {
  it('passes every check against the running local stack, one line each, exit 0', async () => {
    // Act
    const result = await runScript('smoke', [], { LOCAL_DATA_DIR: dataDir });

    // Assess
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Smoke test of the running npm start (${stack.info.apiUrl})`);
    expect(lines.slice(1, -1).map((line) => line.trim().split(':')[0])).toEqual(CHECK_LINES);
    expect(lines.at(-1)).toBe('All checks passed.');
    expect(result.stdout).toMatch(
      /PASS archive listing: .* 404 .*as the local S3 key: the local S3 evaluates no IAM policy/,
    );
    expect(result.stdout).not.toMatch(/Bearer|accessToken|eyJ/);
  });

  it('passes every check with --stack, reading the outputs and assuming the listing probe role', async () => {
    // Act
    const result = await runScript(
      'smoke',
      ['--stack', stack.info.stackName],
      deployerEnvironment(),
    );

    // Assess
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Smoke test of stack ${stack.info.stackName} (${stack.info.region})`);
    expect(lines.slice(1, -1).map((line) => line.trim().split(':')[0])).toEqual(CHECK_LINES);
    expect(result.stdout).toContain(
      `as role arn:aws:sts::000000000000:assumed-role/${stack.info.stackName}-ArchiveListingProbe/npm-run-smoke: the S3 at ${stack.info.s3Endpoint} (AWS_ENDPOINT_URL_S3) is not AWS's`,
    );
    expect(result.stdout).toMatch(/PASS subscription: subscription \S+ is Active for http:\/\/127/);
    expect(lines.at(-1)).toBe('All checks passed.');
    expect(result.stdout).not.toMatch(/Bearer|accessToken|eyJ/);
  });

  it('says in one line that a stack does not exist, exit 1', async () => {
    // Act
    const result = await runScript('smoke', ['--stack', 'Nope'], deployerEnvironment());

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('Stack with id Nope does not exist');
  });

  it("fails with RingCentral's reason and exit 1 once the session is revoked, with or without --stack", async () => {
    // Prepare
    await revokeSession();

    // Act
    const local = await runScript('smoke', [], { LOCAL_DATA_DIR: dataDir });
    const deployed = await runScript(
      'smoke',
      ['--stack', stack.info.stackName],
      deployerEnvironment(),
    );

    // Assess
    for (const result of [local, deployed]) {
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/FAIL session: RingCentral refused the session \(401 OAU-213/);
      expect(result.stdout).toMatch(/run token-refresh/);
      expect(result.stdout).toMatch(/FAIL subscription: cannot be checked without a valid session/);
      expect(result.stdout).toMatch(/PASS archive listing/);
      expect(result.stdout).toMatch(/PASS signed request/);
      expect(result.stdout.trim().split('\n').at(-1)).toBe('2 check(s) failed.');
    }
  });

  it('says in one line that no npm start is running where it looked, exit 1', async () => {
    // Act
    const result = await runScript('smoke', [], { LOCAL_DATA_DIR: join(dataDir, 'nothing') });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^No running npm start \(.*stack\.json is missing\)/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
