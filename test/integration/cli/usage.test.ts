import { describe, expect, it } from 'vitest';
import { runScript } from './run-script.ts';

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

describe('every command-line tool', () => {
  it('answers --help with its usage on stdout and exit code 0, starting nothing', async () => {
    // Act
    const results = await Promise.all(
      TOOLS.map(async (tool) => ({ tool, ...(await runScript(tool, ['--help'])) })),
    );

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
});
