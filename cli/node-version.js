/**
 * Stops an entry point at once, with one line, on a Node older than package.json's `engines`
 * (an older Node fails late and misleadingly: the local RingCentral answers 500 because
 * `JSON.rawJSON` is missing, vitest refuses to start).
 *
 * Plain JavaScript on purpose: every npm script runs `node cli/node-version.js && tsx ...`, so
 * the check costs one bare Node start-up and nothing of tsx, esbuild or the entry point's module
 * graph is loaded before it (measured in docs/BENCHMARKS.md, "node-version"). Every entry point
 * also imports it first, for a direct `npx tsx <file>`. Types: node-version.d.ts.
 *
 * `CHECK_NODE_VERSION_AS=20.20.2` checks that version instead of the running one (for tests).
 */
import { readFileSync } from 'node:fs';

/** The environment variable that makes the check judge another version (tests). */
export const PRETEND_VERSION_VARIABLE = 'CHECK_NODE_VERSION_AS';

/** @param {string} text */
function parseVersion(text) {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** @param {number[]} version @param {number[]} minimum */
function older(version, minimum) {
  for (let index = 0; index < 3; index += 1) {
    if (version[index] !== minimum[index]) return version[index] < minimum[index];
  }
  return false;
}

/** @param {string} version @param {string} engines */
export function nodeVersionProblem(version, engines) {
  const minimum = parseVersion(engines.replace(/^>=\s*/, ''));
  const current = parseVersion(version);
  if (!minimum || !current || !older(current, minimum)) return undefined;
  return `This project needs Node ${engines} (package.json engines); this is Node ${version.replace(/^v/, '')}. Get it with: nvm install (reads .nvmrc), or from https://nodejs.org`;
}

function enginesNode() {
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
