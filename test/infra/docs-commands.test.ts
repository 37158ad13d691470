/**
 * Every command README.md and docs/DEPLOY.md give a user, checked against what it names: each
 * `npm run` script exists and its tool's usage (run with --help) knows every option the docs
 * pass it; each `npx cdk` configuration is one synth accepts (the stack outputs a step reads:
 * test/infra/stack.test.ts, which has the template). The Node version is the same in both documents and package.json.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, readInfraConfig, stackNameFor } from '../../infra/config.ts';
import { packageJson, runScript } from '../integration/cli/run-script.ts';
import { BASE_CONTEXT } from './support/synth.ts';

const DOCS = ['README.md', 'docs/DEPLOY.md'].map((path) => ({
  path,
  text: readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'),
}));

/** Every command line of the documents: code spans and shell blocks, continuations joined. */
function documentedCommands(): Array<{ path: string; command: string }> {
  return DOCS.flatMap(({ path, text }) => {
    const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((match) =>
      (match[1] ?? '').replace(/\\\n\s*/g, ' ').split('\n'),
    );
    const spans = [...text.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map(
      (match) => match[1] ?? '',
    );
    return [...blocks, ...spans]
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => /^(npm run|npx cdk|aws) /.test(line))
      .map((command) => ({ path, command }));
  });
}

const commands = documentedCommands();

describe('the documented commands', () => {
  it('name npm scripts that exist, with options their tools know', async () => {
    // Prepare
    const uses = commands
      .filter(({ command }) => command.startsWith('npm run '))
      .map(({ path, command }) => {
        const [, script = '', rest = ''] = /^npm run (\S+)(.*)$/.exec(command) ?? [];
        return { path, script, options: [...rest.matchAll(/\s(--[a-z][\w-]*)/g)].map((m) => m[1]) };
      });
    const tools = [
      ...new Set(uses.filter((use) => use.options.length > 0).map((use) => use.script)),
    ];

    // Act
    const usages = Object.fromEntries(
      await Promise.all(
        tools.map(async (tool) => [tool, (await runScript(tool, ['--help'])).stdout] as const),
      ),
    );

    // Assess
    expect(uses.length).toBeGreaterThan(10);
    for (const { path, script, options } of uses) {
      expect(packageJson.scripts[script], `${path}: npm run ${script}`).toBeDefined();
      for (const option of options) {
        expect(usages[script], `${path}: npm run ${script} ${option}`).toContain(option);
      }
    }
  }, 60_000);

  it('configure npx cdk with keys and values synth accepts', () => {
    // Prepare
    const cdk = commands.filter(({ command }) => command.startsWith('npx cdk '));

    // Act
    const checked = cdk.map(({ path, command }) => {
      const context: Record<string, unknown> = {};
      for (const [, raw = ''] of command.matchAll(/-c\s+('[^']*'|\S+)/g)) {
        const pair = raw.replace(/^'|'$/g, '');
        const at = pair.indexOf('=');
        const value = pair.slice(at + 1).replace(/^\$STAGE$/, 'prod');
        context[pair.slice(0, at)] = value;
      }
      const keys = Object.keys(context).filter((key) => key !== 'deployId');
      const node = new App({ context: { ...BASE_CONTEXT, ...context } }).node;
      return { path, command, keys, parse: () => [readInfraConfig(node), stackNameFor(node)] };
    });

    // Assess
    expect(checked.map(({ command }) => command.split(' ')[2])).toEqual(
      expect.arrayContaining(['synth', 'deploy', 'bootstrap', 'destroy']),
    );
    for (const { path, command, keys, parse } of checked) {
      for (const key of keys) expect(CONFIG_KEYS, `${path}: ${command}`).toContain(key);
      expect(parse, `${path}: ${command}`).not.toThrow();
    }
  });

  it('give one Node version, the one package.json requires', () => {
    // Prepare
    const required = packageJson.engines.node.replace(/^>=\s*/, '').replace(/\.0$/, '');

    // Assess
    for (const { path, text } of DOCS) {
      expect(text, path).toContain(`Node.js ${required} or newer`);
      // No other version is named as the one to install.
      expect(text.match(/\bNode(?:\.js)? \d[\d.]*/g), path).toEqual([`Node.js ${required}`]);
    }
  });
});
