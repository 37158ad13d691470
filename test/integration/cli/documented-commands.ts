/**
 * The command lines README.md and docs/DEPLOY.md give a user, read from the documents: the docs
 * tests check them against the tools (test/infra/docs-commands.test.ts for `npx cdk` and the
 * Node version, test/integration/cli/usage.test.ts for the options of each `npm run` script,
 * from the same `--help` runs as its usage checks).
 */
import { readFileSync } from 'node:fs';

/** The documents and their text. */
export const DOCS = ['README.md', 'docs/DEPLOY.md'].map((path) => ({
  path,
  text: readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8'),
}));

/** Every command line of the documents: code spans and shell blocks, continuations joined. */
export function documentedCommands(): Array<{ path: string; command: string }> {
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

/** Each documented `npm run` command: its document, script and the options it passes. */
export function documentedScriptUses(): Array<{ path: string; script: string; options: string[] }> {
  return documentedCommands()
    .filter(({ command }) => command.startsWith('npm run '))
    .map(({ path, command }) => {
      const [, script = '', rest = ''] = /^npm run (\S+)(.*)$/.exec(command) ?? [];
      return {
        path,
        script,
        options: [...rest.matchAll(/\s(--[a-z][\w-]*)/g)].map((match) => match[1] ?? ''),
      };
    });
}
