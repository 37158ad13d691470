/**
 * `npm run extensions`: list, policy and discover against a state table on dynalite (a
 * deployment's, by STATE_TABLE_NAME) and against a running npm start (its stack.json, the local
 * Lambda endpoint); help, unknown options and missing targets give one line and the usage.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExtensionsCommand } from '../../../cli/extensions/command.ts';
import {
  createArchivePolicyStore,
  createExtensionRegistry,
} from '../../../lib/aws/extension-registry.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import { startAwsServices } from '../../../local/stack/aws-services.ts';
import { PROJECT_ROOT } from '../../../local/stack/bundles.ts';
import type { LocalDynamo } from '../../support/dynalite.ts';
import { startDynalite } from '../../support/dynalite.ts';

let dynamo: LocalDynamo;
let tableName: string;
let deployment: NodeJS.ProcessEnv;

beforeAll(async () => {
  dynamo = await startDynalite();
  tableName = await dynamo.createStateTable();
  deployment = {
    STATE_TABLE_NAME: tableName,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
  const registry = createExtensionRegistry(createStateTable({ tableName, client: dynamo.client }));
  const seen = { firstSeen: '2026-03-01T00:00:00.000Z', lastSeen: '2026-03-01T00:00:00.000Z' };
  await registry.putDiscovered({
    id: '101001',
    type: 'User',
    status: 'Enabled',
    archived: true,
    ...seen,
  });
  await registry.putDiscovered({
    id: '101007',
    type: 'IvrMenu',
    status: 'Enabled',
    archived: false,
    skipReason: 'type IvrMenu has no mailbox',
    ...seen,
  });
  await registry.putDiscovered({
    id: '101009',
    type: 'User',
    status: 'Disabled',
    archived: true,
    goneSince: '2026-03-02T00:00:00.000Z',
    ...seen,
  });
  await registry.recordProgress('101001', {
    lastRunAt: '2026-03-01T01:00:00.000Z',
    completeThrough: '2026-03-01T00:59:00.000Z',
  });
});

afterAll(async () => {
  await dynamo.stop();
});

/** Runs the command in-process with the SDK's environment set as a shell would. */
async function run(argv: string[], env: NodeJS.ProcessEnv, dataDir = '/nonexistent') {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await runExtensionsCommand(argv, {
      env,
      dataDir,
      print: (line) => out.push(line),
      printError: (line) => err.push(line),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    for (const key of Object.keys(env)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

describe('npm run extensions', () => {
  it('lists the registry of a deployment: archived, skipped with the reason, gone', async () => {
    // Act
    const { code, out } = await run(['list'], deployment);

    // Assess
    expect(code).toBe(0);
    expect(out).toContain(`State table ${tableName}`);
    expect(out).toMatch(/101001 .*User .*Enabled .*archived complete through 2026-03-01T00:59/);
    expect(out).toMatch(/101007 .*IvrMenu .*skipped \(type IvrMenu has no mailbox\)/);
    expect(out).toMatch(/101009 .*gone since 2026-03-02/);
    expect(out).toContain('3 extensions: 1 archived, 1 skipped, 1 gone');
  });

  it('adds policy rules, validates them, and starts again from the default with --reset', async () => {
    // Act
    const shown = await run(['policy'], deployment);
    const added = await run(
      ['policy', '--include-type', 'IvrMenu', '--exclude-id=101002,101003'],
      deployment,
    );
    const invalid = await run(['policy', '--include-type', 'Robot'], deployment);
    const stored = await createArchivePolicyStore(
      createStateTable({ tableName, client: dynamo.client }),
    ).read();
    const reset = await run(['policy', '--reset'], deployment);

    // Assess
    expect(shown.out).toContain('whatever its status (default)');
    expect(added.code).toBe(0);
    expect(added.out).toContain('includeTypes: IvrMenu');
    expect(added.out).toContain('excludeIds: 101002, 101003');
    expect(invalid.code).toBe(2);
    expect(invalid.err.split('\n')).toHaveLength(1);
    expect(invalid.err).toMatch(/^Invalid archive policy: includeTypes\[1\]: .*IvrMenu/);
    expect(stored).toEqual({ includeTypes: ['IvrMenu'], excludeIds: ['101002', '101003'] });
    expect(reset.out).toContain('(default)');
  });

  it('runs discovery through the running npm start and prints its counts', async () => {
    // Prepare
    const invoked: string[] = [];
    const aws = await startAwsServices({
      secrets: {},
      functions: ['extensions'],
      onInvoke: async (name, payload) => {
        invoked.push(`${name} ${payload}`);
        return { payload: JSON.stringify({ counts: { listed: 3 } }) };
      },
    });
    const dataDir = await mkdtemp(join(tmpdir(), 'extensions-cli-'));
    await writeFile(
      join(dataDir, 'stack.json'),
      JSON.stringify({
        dynamodbEndpoint: dynamo.endpoint,
        awsServicesEndpoint: aws.url,
        tableName,
        region: 'us-east-1',
      }),
    );

    // Act
    const result = await run(['discover'], {}, dataDir);
    await aws.stop();

    // Assess
    expect(result.code).toBe(0);
    expect(result.out).toContain(`The running npm start (table ${tableName})`);
    expect(result.out).toContain('Discovery: {"counts":{"listed":3}}');
    expect(invoked).toEqual(['extensions {"source":"cli"}']);
  });

  it('answers bad usage and a missing target with one line (and the usage), exit 2', async () => {
    // Act
    const unknown = await run(['policy', '--include-types', 'User'], deployment);
    const noCommand = await run([], deployment);
    const nowhere = await run(['list'], {}, '/nonexistent');
    const help = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_ROOT, 'cli/extensions.ts'), '--help'],
      { cwd: PROJECT_ROOT, encoding: 'utf8' },
    );

    // Assess
    expect(unknown.code).toBe(2);
    expect(unknown.err.split('\n')[0]).toBe('Unknown option: --include-types');
    expect(unknown.err).toContain('Usage: npm run extensions');
    expect(noCommand.err.split('\n')[0]).toBe('Which command?');
    expect(nowhere.code).toBe(2);
    expect(nowhere.err).toMatch(/^No running npm start .* and no STATE_TABLE_NAME/);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: npm run extensions -- list');
  });
});
