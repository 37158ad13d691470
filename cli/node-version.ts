/**
 * Stops an entry point at once, with one line, on a Node older than package.json's `engines`
 * (an older Node fails late and misleadingly: the local RingCentral answers 500 because
 * `JSON.rawJSON` is missing, vitest refuses to start). The npm scripts give this module to tsx
 * with `--import`, so it runs before any module of the entry point is loaded, and every entry
 * point also imports it first for a direct `npx tsx <file>`.
 *
 * `CHECK_NODE_VERSION_AS=20.20.2` checks that version instead of the running one (for tests).
 */
import { readFileSync } from 'node:fs';

/** The environment variable that makes the check judge another version (tests). */
export const PRETEND_VERSION_VARIABLE = 'CHECK_NODE_VERSION_AS';

type Version = [major: number, minor: number, patch: number];

function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function older(version: Version, minimum: Version): boolean {
  for (let index = 0; index < 3; index += 1) {
    const [have, need] = [version[index] as number, minimum[index] as number];
    if (have !== need) return have < need;
  }
  return false;
}

/**
 * The one line to stop with, or undefined when `version` satisfies `engines` (a `>=x.y.z` range,
 * the only form package.json uses).
 */
export function nodeVersionProblem(version: string, engines: string): string | undefined {
  const minimum = parseVersion(engines.replace(/^>=\s*/, ''));
  const current = parseVersion(version);
  if (!minimum || !current || !older(current, minimum)) return undefined;
  return `This project needs Node ${engines} (package.json engines); this is Node ${version.replace(/^v/, '')}. Get it with: nvm install (reads .nvmrc), or from https://nodejs.org`;
}

function enginesNode(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return String(packageJson.engines?.node ?? '');
}

const problem = nodeVersionProblem(
  process.env[PRETEND_VERSION_VARIABLE] || process.versions.node,
  enginesNode(),
);
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
