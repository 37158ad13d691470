import { readFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem, PRETEND_VERSION_VARIABLE } from '../../../cli/node-version.js';
import { packageJson, ROOT, runScript } from './run-script.ts';

/** Every npm script that runs TypeScript or vitest: each must stop an old Node before anything else. */
const NODE_SCRIPTS = Object.entries(packageJson.scripts).filter(([, command]) =>
  /(^|&& )(tsx|vitest|node --import tsx)\b/.test(command),
);
/** The files those scripts run, for a direct `npx tsx <file>`. */
const ENTRY_FILES = NODE_SCRIPTS.flatMap(([, command]) =>
  [...command.matchAll(/tsx (\S+\.ts)/g)].map((match) => match[1] as string),
);
/**
 * A PATH with this Node and the system's tools but not node_modules/.bin: a script that reaches
 * tsx or vitest before the check fails with "not found" instead of the one line.
 */
const PATH_WITHOUT_TOOLS = [dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter);

describe('the Node version check', () => {
  it('says the version needed and how to get it, and accepts that version and newer', () => {
    // Prepare
    const engines = '>=22.12.0';

    // Act
    const tooOld = nodeVersionProblem('20.20.2', engines);
    const almost = nodeVersionProblem('v22.11.9', engines);
    const enough = [
      nodeVersionProblem('22.12.0', engines),
      nodeVersionProblem('24.1.0', engines),
      nodeVersionProblem('100.0.0', engines),
    ];

    // Assess
    expect(tooOld).toBe(
      'This project needs Node >=22.12.0 (package.json engines); this is Node 20.20.2. Get it with: nvm install (reads .nvmrc), or from https://nodejs.org',
    );
    expect(almost).toContain('this is Node 22.11.9');
    expect(enough).toEqual([undefined, undefined, undefined]);
  });

  it('asks for at least what vitest and the runtime need, and .nvmrc names such a Node', async () => {
    // Prepare
    const nvmrc = (await readFile(join(ROOT, '.nvmrc'), 'utf8')).trim();

    // Act
    const nvmrcProblem = nodeVersionProblem(`${nvmrc}.0.0`, packageJson.engines.node);

    // Assess
    // vitest needs 22.12, JSON.rawJSON (the local RingCentral's int64 ids) needs 21.
    expect(packageJson.engines.node).toBe('>=22.12.0');
    expect(nvmrcProblem).toBeUndefined();
  });

  it('stops every npm script with the one line and exit code 1 on Node 20, before tsx or vitest loads', async () => {
    // Prepare
    expect(NODE_SCRIPTS.map(([name]) => name)).toEqual(
      expect.arrayContaining(['start', 'emulator', 'backfill', 'local:send', 'test', 'test:watch']),
    );

    // Act
    const results = await Promise.all(
      NODE_SCRIPTS.map(async ([name]) => ({
        name,
        ...(await runScript(name, [], {
          [PRETEND_VERSION_VARIABLE]: '20.20.2',
          PATH: PATH_WITHOUT_TOOLS,
        })),
      })),
    );

    // Assess
    for (const result of results) {
      expect({ name: result.name, code: result.code, stdout: result.stdout }).toEqual({
        name: result.name,
        code: 1,
        stdout: '',
      });
      expect(result.stderr).toBe(`${nodeVersionProblem('20.20.2', packageJson.engines.node)}\n`);
    }
  });

  it('is the first import of every entry point, for a direct npx tsx <file>', async () => {
    // Prepare
    const sources = await Promise.all(
      ENTRY_FILES.map(async (file) => ({ file, text: await readFile(join(ROOT, file), 'utf8') })),
    );

    // Act
    const firstImports = sources.map(({ file, text }) => ({
      file,
      first: /^import\s+(?:[^'"]*from\s+)?'([^']+)'/m.exec(text)?.[1] ?? '',
    }));

    // Assess
    expect(ENTRY_FILES.length).toBeGreaterThanOrEqual(8);
    for (const { file, first } of firstImports) {
      expect({ file, first: first.endsWith('/node-version.js') }).toEqual({ file, first: true });
    }
  });
});
