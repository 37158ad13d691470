import { beforeAll, describe, expect, it } from 'vitest';
import { documentedScriptUses } from './documented-commands.ts';
import { packageJson, runScript, type ScriptResult } from './run-script.ts';

/** Every command-line tool a user runs. */
const TOOLS = [
  'start',
  'emulator',
  'backfill',
  'extensions',
  'local:send',
  'archive:verify',
  'archive:search',
  'archive:hold',
  'archive:adopt',
  'archive:ls',
  'archive:cat',
  'smoke',
  'bench',
];

/** The documented `npm run` commands, and the scripts of those that pass options. */
const DOCUMENTED = documentedScriptUses();
const DOCUMENTED_WITH_OPTIONS = DOCUMENTED.filter(
  (use) => use.options.length > 0 && packageJson.scripts[use.script] !== undefined,
).map((use) => use.script);

describe('every command-line tool', () => {
  /** Each tool's `--help` run, made once: both the usage and the documentation checks read it. */
  const help = new Map<string, ScriptResult>();
  beforeAll(async () => {
    const tools = [...new Set([...TOOLS, ...DOCUMENTED_WITH_OPTIONS])];
    const results = await Promise.all(tools.map((tool) => runScript(tool, ['--help'])));
    tools.forEach((tool, index) => {
      help.set(tool, results[index] as ScriptResult);
    });
  });

  it('answers --help with its usage on stdout and exit code 0, starting nothing', () => {
    // Act
    const results = TOOLS.map((tool) => ({ tool, ...(help.get(tool) as ScriptResult) }));

    // Assess
    for (const { tool, code, stdout, stderr } of results) {
      expect({ tool, code, stderr, usage: stdout.startsWith('Usage: ') }).toEqual({
        tool,
        code: 0,
        stderr: '',
        usage: true,
      });
    }
  });

  it('answers an unknown option with one line, then its usage, exit code 2, no stack trace', async () => {
    // Act
    const results = await Promise.all(
      TOOLS.map(async (tool) => ({ tool, ...(await runScript(tool, ['--bogus', '1'])) })),
    );

    // Assess
    for (const { tool, code, stdout, stderr } of results) {
      const [first, blank, usage] = stderr.split('\n');
      expect({ tool, code, stdout, first, blank, usage: usage?.startsWith('Usage: ') }).toEqual({
        tool,
        code: 2,
        stdout: '',
        first: expect.stringMatching(/^Unknown (option|command):? '?--bogus'?$/),
        blank: '',
        usage: true,
      });
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('knows every option README.md and docs/DEPLOY.md pass it, under a script that exists', () => {
    // Assess
    expect(DOCUMENTED.length).toBeGreaterThan(10);
    for (const { path, script, options } of DOCUMENTED) {
      expect(packageJson.scripts[script], `${path}: npm run ${script}`).toBeDefined();
      for (const option of options) {
        expect(help.get(script)?.stdout, `${path}: npm run ${script} ${option}`).toContain(option);
      }
    }
  });
});
