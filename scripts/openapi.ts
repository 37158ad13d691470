/**
 * `npm run openapi`: writes docs/openapi.json from the API's zod schemas (lib/api), formatted by
 * Biome so that `npm run lint` accepts the committed file as it is.
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import '../cli/node-version.js';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openApiJson } from '../lib/api/openapi.ts';

const target = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));
await writeFile(target, openApiJson());
execFileSync(biome, ['format', '--write', target], { stdio: 'ignore' });
process.stdout.write(`wrote ${target}\n`);
