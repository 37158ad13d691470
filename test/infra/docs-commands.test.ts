/**
 * Every command README.md and docs/DEPLOY.md give a user, checked against what it names: each
 * `npx cdk` configuration is one synth accepts (the stack outputs a step reads:
 * test/infra/stack.test.ts, which has the template). The Node version is the same in both
 * documents and package.json. That each `npm run` script exists and its tool's usage knows every
 * option the docs pass it is checked in test/integration/cli/usage.test.ts, on the `--help` runs
 * it makes anyway (a tool's start-up is the costly part).
 */
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, readInfraConfig, stackNameFor } from '../../infra/config.ts';
import { DOCS, documentedCommands } from '../integration/cli/documented-commands.ts';
import { packageJson } from '../integration/cli/run-script.ts';
import { BASE_CONTEXT } from './support/synth.ts';

const commands = documentedCommands();

describe('the documented commands', () => {
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
