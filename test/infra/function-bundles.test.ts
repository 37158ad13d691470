/**
 * The functions' code assets (infra/function-bundles.ts) with esbuild replaced by a recording
 * fake: one build per app however many functions, none when the app does not bundle, and a
 * failed build fails the synth with esbuild's message. The real build runs in cdk-synth.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BuildOptions } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FunctionName } from '../../infra/function-names.ts';

const esbuild = vi.hoisted(() => ({ builds: 0, failure: undefined as Error | undefined }));

/** Each entry `<name>/index` becomes `index.mjs` saying its name, and an empty source map. */
vi.mock('esbuild', () => ({
  buildSync(options: BuildOptions) {
    esbuild.builds += 1;
    if (esbuild.failure) throw esbuild.failure;
    const outputs = Object.keys(options.entryPoints as Record<string, string>);
    const file = (path: string, text: string) => ({ path, text, contents: Buffer.from(text) });
    return {
      outputFiles: outputs.flatMap((output) => [
        file(`${options.outdir}/${output}.mjs`, `export const handler = '${output}';`),
        file(`${options.outdir}/${output}.mjs.map`, '{}'),
      ]),
    };
  },
}));

// The unit project's workers are shared between files (vitest.config.ts): one may have loaded
// infra/function-bundles.ts with the real esbuild already. Evaluate it afresh, importing the fake.
vi.resetModules();
const { functionCode } = await import('../../infra/function-bundles.ts');

const WRAPPER = readFileSync(
  new URL('../../infra/lambda/node-wrapper.sh', import.meta.url),
  'utf8',
);

let outdir: string;
beforeEach(() => {
  esbuild.builds = 0;
  esbuild.failure = undefined;
  outdir = mkdtempSync(join(tmpdir(), 'function-bundles-'));
});
afterEach(() => rmSync(outdir, { recursive: true, force: true }));

/**
 * Builds an app whose stack holds one function per name, and returns each function's asset
 * directory by name. CDK bundles an asset when it is made, so no synth is needed.
 */
function assetsOf(
  names: FunctionName[],
  context: Record<string, unknown> = {},
): Record<string, string> {
  const stack = new Stack(new App({ outdir, context }), 'Bundles');
  const assets: Record<string, string> = {};
  for (const name of names) {
    const made = new lambda.Function(stack, name, {
      code: functionCode(stack, name),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
    });
    const code = stack.resolve((made.node.defaultChild as lambda.CfnFunction).code) as {
      s3Key: string;
    };
    assets[name] = join(outdir, `asset.${code.s3Key.replace(/\.zip$/, '')}`);
  }
  return assets;
}

describe('functionCode', () => {
  it('bundles every function of an app from one esbuild build, each asset its own bundle and the wrapper', () => {
    // Prepare
    const names: FunctionName[] = ['send-sms', 'alert'];

    // Act
    const assets = assetsOf(names);

    // Assess
    expect(esbuild.builds).toBe(1);
    for (const name of names) {
      const asset = assets[name] ?? '';
      expect(readFileSync(join(asset, 'index.mjs'), 'utf8')).toContain(`'${name}/index'`);
      expect(readFileSync(join(asset, 'index.mjs.map'), 'utf8')).toBe('{}');
      expect(readFileSync(join(asset, 'node-wrapper.sh'), 'utf8')).toBe(WRAPPER);
      expect(statSync(join(asset, 'node-wrapper.sh')).mode & 0o777).toBe(0o755);
    }
  });

  it('runs no esbuild when the app synthesises without bundling', () => {
    // Prepare
    const context = { 'aws:cdk:bundling-stacks': [] };

    // Act
    assetsOf(['send-sms', 'alert'], context);

    // Assess
    expect(esbuild.builds).toBe(0);
  });

  it("fails with esbuild's message when the build fails, trying no Docker", () => {
    // Prepare
    esbuild.failure = new Error(
      'Build failed with 1 error:\nfunctions/send-sms.ts:1:7: ERROR: Expected ";" but found "x"',
    );

    // Act
    const build = () => assetsOf(['send-sms']);

    // Assess
    expect(build).toThrow(/Failed to bundle asset .*Expected ";" but found "x"/s);
    expect(esbuild.builds).toBe(1);
  });
});
