/**
 * The functions' exec wrapper (infra/lambda/node-wrapper.sh), run as the Node.js runtime's
 * bootstrap runs it: `wrapper <node> <options> <script> <arguments>`, with the runtime's own
 * `--max-semi-space-size` among the options and the functions' NODE_OPTIONS in the environment.
 * V8's new space after some allocation shows which semi-space size the process really got: with
 * these objects surviving a scavenge or two it grows to 64 MiB under the runtime's value, and stays
 * at 2 MiB under ours. The bounds leave room for V8's own variations (once 5 MiB under a loaded
 * CI run).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NODE_OPTIONS } from '../../infra/function-runtime.ts';

const WRAPPER = fileURLToPath(new URL('../../infra/lambda/node-wrapper.sh', import.meta.url));
const MiB = 2 ** 20;

/** Allocates short-lived objects, then prints its new space's size, options and arguments. */
const PROBE = `
let young = [];
for (let i = 0; i < 3e6; i++) { young.push({ i, s: 'x' + i }); if (young.length > 20000) young = []; }
const space = require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
console.log(JSON.stringify({ newSpace: space.space_size, execArgv: process.execArgv, argv: process.argv.slice(1) }));
`;

interface ProbeOutput {
  newSpace: number;
  execArgv: string[];
  argv: string[];
}

async function probe(command: string, args: string[]): Promise<ProbeOutput> {
  const { stdout } = await promisify(execFile)(command, args, {
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: FUNCTION_NODE_OPTIONS },
  });
  return JSON.parse(stdout) as ProbeOutput;
}

describe('node-wrapper.sh', () => {
  it("drops the runtime's --max-semi-space-size so that NODE_OPTIONS' value applies", async () => {
    // Prepare
    // As the nodejs runtime's bootstrap passes them (a two-argument option among them).
    const runtimeOptions = [
      '--expose-gc',
      '--max-http-header-size',
      '81920',
      '--max-semi-space-size=51',
      '--max-old-space-size=921',
    ];

    // Act
    const unwrapped = await probe(process.execPath, [...runtimeOptions, '-e', PROBE]);
    const wrapped = await probe('/bin/sh', [
      WRAPPER,
      process.execPath,
      ...runtimeOptions,
      '-e',
      PROBE,
    ]);

    // Assess
    expect(unwrapped.newSpace).toBeGreaterThanOrEqual(32 * MiB);
    expect(wrapped.newSpace).toBeLessThanOrEqual(8 * MiB);
    expect(wrapped.execArgv).toEqual([
      '--expose-gc',
      '--max-http-header-size',
      '81920',
      '--max-old-space-size=921',
      '-e',
      PROBE,
    ]);
  });

  it('also drops the option given as two arguments', async () => {
    // Act
    const wrapped = await probe('/bin/sh', [
      WRAPPER,
      process.execPath,
      '--max_semi_space_size',
      '64',
      '-e',
      PROBE,
    ]);

    // Assess
    expect(wrapped.execArgv).toEqual(['-e', PROBE]);
    expect(wrapped.newSpace).toBeLessThanOrEqual(8 * MiB);
  });

  it('passes every other argument on unchanged, spaces and shell characters included', async () => {
    // Prepare
    const args = ['two  spaces', '$HOME', "it's", '*', ''];

    // Act
    const wrapped = await probe('/bin/sh', [WRAPPER, process.execPath, '-e', PROBE, '--', ...args]);

    // Assess
    expect(wrapped.argv).toEqual(args);
  });
});
