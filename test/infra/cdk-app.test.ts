/**
 * The CDK app as the CLI runs it (`cdk.json`: `npx tsx infra/app.ts`), without bundling: a
 * missing required key fails with a message that names it and says how to set it, not a trace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type CommandRun, runCommand } from '../support/run-command.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = join(PROJECT_ROOT, 'node_modules/.bin/tsx');

const outDirs: string[] = [];
afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the app with `context` as the CLI passes it (CDK_CONTEXT_JSON). */
function runApp(context: Record<string, unknown>): Promise<CommandRun> {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-app-'));
  outDirs.push(outdir);
  return runCommand(TSX, ['infra/app.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify(context),
    },
  });
}

describe('infra/app.ts', () => {
  it('without smsFrom exits 1 naming the key, -c and cdk.json, with no stack trace', async () => {
    // Act
    const { code, output } = await runApp({});

    // Assess
    expect(code).toBe(1);
    expect(output).toContain('smsFrom is not set');
    expect(output).toContain('-c smsFrom=+16505550100');
    expect(output).toContain('cdk.json');
    expect(output).not.toMatch(/^\s+at /m);
  }, 30_000);

  it('without an alarm destination exits 1 naming alarmEmails and alarmTopicArn, no trace', async () => {
    // Act
    const { code, output } = await runApp({ smsFrom: '+16505550100' });

    // Assess
    expect(code).toBe(1);
    expect(output).toContain('Missing configuration: no alarm destination');
    expect(output).toContain(`-c 'alarmEmails=["ops@example.com"]'`);
    expect(output).toContain('alarmTopicArn');
    expect(output).not.toMatch(/^\s+at /m);
  }, 30_000);

  it('with a bad value exits 1 naming the key and the value', async () => {
    // Act
    const { code, output } = await runApp({
      smsFrom: '6505550100',
      alarmEmails: ['ops@example.com'],
    });

    // Assess
    expect(code).toBe(1);
    expect(output).toContain('Invalid configuration: smsFrom = "6505550100"');
    expect(output).not.toMatch(/^\s+at /m);
  }, 30_000);
});
