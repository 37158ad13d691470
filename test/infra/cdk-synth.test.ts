import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '../../infra/message-automation-stack.ts';
import { type CommandRun, runCommand } from '../support/run-command.ts';
import { SYNTH_TIME_LIMIT_MS } from '../support/time-limits.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CDK = join(PROJECT_ROOT, 'node_modules/.bin/cdk');
const STACK = 'RingCentralMessageAutomation';

interface SynthRun extends CommandRun {
  outdir: string;
}

/**
 * `cdk synth` as README.md gives it (`npx cdk synth -c smsFrom=+16505550100 -c
 * 'alarmEmails=["ops@example.com"]'`), with no AWS credentials or profile in the environment.
 */
function cdkSynth(): Promise<SynthRun> {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-synth-'));
  const context = ['-c', 'smsFrom=+16505550100', '-c', 'alarmEmails=["ops@example.com"]'];
  return runCommand(CDK, ['synth', '--quiet', ...context, '-o', outdir], {
    cwd: PROJECT_ROOT,
    // Only what finds node and a home directory: no AWS_* variables, no profile.
    env: { PATH: process.env.PATH ?? '', HOME: mkdtempSync(join(tmpdir(), 'cdk-home-')) },
  }).then((run) => ({ ...run, outdir }));
}

let run: SynthRun;
beforeAll(async () => {
  run = await cdkSynth();
}, SYNTH_TIME_LIMIT_MS);
afterAll(() => {
  if (run) rmSync(run.outdir, { recursive: true, force: true });
});

describe('npx cdk synth', () => {
  it('exits 0 without AWS credentials, with cdk-nag and cfn-guard passing', () => {
    // Assess
    expect(run.code, run.output.slice(-3000)).toBe(0);
    expect(existsSync(join(run.outdir, `${STACK}.template.json`))).toBe(true);
    expect(run.output).not.toMatch(/docker/i);
  });

  it('bundles every function with the local esbuild into an ESM asset with a source map and the exec wrapper', () => {
    // Prepare
    const template = JSON.parse(readFileSync(join(run.outdir, `${STACK}.template.json`), 'utf8'));
    const functions = Object.entries(
      template.Resources as Record<
        string,
        { Type: string; Properties: { Runtime?: string; Code: { S3Key?: unknown } } }
      >,
    ).filter(
      ([, resource]) =>
        resource.Type === 'AWS::Lambda::Function' && resource.Properties.Runtime === 'nodejs24.x',
    );

    const wrapperSource = readFileSync(join(PROJECT_ROOT, 'infra/lambda/node-wrapper.sh'), 'utf8');

    // Act
    const bundles = functions.map(([logicalId, resource]) => {
      const key = String(resource.Properties.Code.S3Key);
      const assetDir = join(run.outdir, `asset.${key.replace(/\.zip$/, '')}`);
      const code = existsSync(join(assetDir, 'index.mjs'))
        ? readFileSync(join(assetDir, 'index.mjs'), 'utf8')
        : '';
      const wrapper = join(assetDir, 'node-wrapper.sh');
      return {
        logicalId,
        hasMap: existsSync(join(assetDir, 'index.mjs.map')),
        code,
        wrapper: existsSync(wrapper)
          ? { text: readFileSync(wrapper, 'utf8'), mode: statSync(wrapper).mode }
          : undefined,
      };
    });

    // Assess
    // Our functions, and CDK's two providers (not bundled by us): the provider framework of the
    // deploy-time refresh and the AwsCustomResource provider of the deploy-time discovery.
    expect(bundles).toHaveLength(FUNCTION_NAMES.length + 2);
    for (const name of FUNCTION_NAMES) {
      const prefix = name
        .split('-')
        .map((part) => part[0]?.toUpperCase() + part.slice(1))
        .join('');
      const bundle = bundles.find((entry) => entry.logicalId.startsWith(`${prefix}Function`));
      expect(bundle, name).toBeDefined();
      expect(bundle?.hasMap, name).toBe(true);
      // ESM with the createRequire banner, minified (long lines), the handler exported.
      expect(bundle?.code.startsWith("import { createRequire } from 'node:module'"), name).toBe(
        true,
      );
      expect(bundle?.code, name).toMatch(/export\s*\{[^}]*\bas handler\b/);
      // The AWS SDK is left to the Lambda runtime (BUNDLE_AWS_SDK, decided by the bundles bench).
      expect(bundle?.code, name).toMatch(/from\s*"@aws-sdk\/client-/);
      const code = bundle?.code ?? '';
      expect(code.length / code.split('\n').length, `${name}: mean line length`).toBeGreaterThan(
        1_000,
      );
      // The exec wrapper AWS_LAMBDA_EXEC_WRAPPER names, executable (the zip keeps the mode).
      expect(bundle?.wrapper?.text, name).toBe(wrapperSource);
      expect((bundle?.wrapper?.mode ?? 0) & 0o111, `${name}: wrapper executable`).toBe(0o111);
    }
  });
});
