/**
 * The function bundles `npm start` runs: built with esbuild's JS API and the very options the CDK
 * stack bundles each function with (`functionBuildOptions()` in infra/function-bundles.ts),
 * plus the small runtime that hosts them in a child process. Builds are cached under
 * `.local/bundles/` keyed by the SHA-256 of every input file, so a start with unchanged sources
 * only hashes files.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTION_NODE_OPTIONS } from '../../infra/function-runtime.ts';

/** The repository root (bundles must live inside it: the AWS SDK resolves from node_modules). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where bundles are cached. */
export const BUNDLE_CACHE_DIR = join(PROJECT_ROOT, '.local', 'bundles');

/** The file whose options decide how functions are bundled; a change to it rebuilds. */
const OPTIONS_SOURCE = join(PROJECT_ROOT, 'infra', 'function-bundles.ts');
const WORKER_SOURCE = fileURLToPath(new URL('./lambda-worker.ts', import.meta.url));
const MANIFEST_VERSION = 1;

/** The built bundles. */
export interface FunctionBundles {
  /** `<function name>` -> absolute path of its `index.mjs`. */
  functions: Record<string, string>;
  /** The child-process runtime that hosts one function. */
  worker: string;
  /** NODE_OPTIONS the deployed functions run with (from the stack). */
  nodeOptions: string;
  /** Whether this start reused a cached build. */
  cached: boolean;
  durationMs: number;
}

interface Manifest {
  version: number;
  key: string;
  directory: string;
  names: string[];
  nodeOptions: string;
  /** Input path (relative to the project) -> sha256. */
  inputs: Record<string, string>;
}

async function sha256File(path: string): Promise<string | undefined> {
  try {
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  } catch {
    return undefined;
  }
}

async function cacheKey(names: readonly string[]): Promise<string> {
  const esbuildPackage = await readFile(
    join(PROJECT_ROOT, 'node_modules', 'esbuild', 'package.json'),
    'utf8',
  );
  return createHash('sha256')
    .update(String(MANIFEST_VERSION))
    .update((await sha256File(OPTIONS_SOURCE)) ?? '')
    .update((JSON.parse(esbuildPackage) as { version: string }).version)
    .update(names.join(','))
    .digest('hex');
}

async function readManifest(): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(join(BUNDLE_CACHE_DIR, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

async function unchanged(manifest: Manifest): Promise<boolean> {
  const entries = Object.entries(manifest.inputs);
  const hashes = await Promise.all(entries.map(([path]) => sha256File(join(PROJECT_ROOT, path))));
  if (!entries.every(([, expected], index) => hashes[index] === expected)) return false;
  try {
    await stat(join(BUNDLE_CACHE_DIR, manifest.directory, 'worker.mjs'));
    return true;
  } catch {
    return false;
  }
}

function bundlesOf(manifest: Manifest, cached: boolean, started: number): FunctionBundles {
  const directory = join(BUNDLE_CACHE_DIR, manifest.directory);
  return {
    functions: Object.fromEntries(
      manifest.names.map((name) => [name, join(directory, name, 'index.mjs')]),
    ),
    worker: join(directory, 'worker.mjs'),
    nodeOptions: manifest.nodeOptions,
    cached,
    durationMs: performance.now() - started,
  };
}

/** Builds kept besides the current one: a stack started a moment ago may still use them. */
const KEPT_BUILDS = 3;

/** Removes all but the newest {@link KEPT_BUILDS} build directories (never the current one). */
async function pruneOldBuilds(current: string): Promise<void> {
  const entries = await readdir(BUNDLE_CACHE_DIR, { withFileTypes: true });
  const builds = await Promise.all(
    entries
      .filter((entry) => entry.isDirectory() && /^[0-9a-f]{16}$/.test(entry.name))
      .filter((entry) => entry.name !== current)
      .map(async (entry) => ({
        name: entry.name,
        modified: (await stat(join(BUNDLE_CACHE_DIR, entry.name))).mtimeMs,
      })),
  );
  builds.sort((a, b) => b.modified - a.modified);
  await Promise.all(
    builds
      .slice(KEPT_BUILDS)
      .map((build) => rm(join(BUNDLE_CACHE_DIR, build.name), { recursive: true, force: true })),
  );
}

/**
 * Returns bundles of `names` (files in functions/, without `.ts`), building them only when an
 * input changed. Safe against a concurrent start: each build goes to its own directory.
 */
export async function buildFunctionBundles(names: readonly string[]): Promise<FunctionBundles> {
  const started = performance.now();
  const key = await cacheKey(names);
  const previous = await readManifest();
  if (previous && previous.key === key && (await unchanged(previous))) {
    return bundlesOf(previous, true, started);
  }
  // Loaded only to build: it pulls in aws-cdk-lib, half a second of import.
  const { functionBuildOptions } = await import('../../infra/function-bundles.ts');
  const { build } = await import('esbuild');
  const temporary = `tmp-${randomUUID()}`;
  const outdir = join(BUNDLE_CACHE_DIR, temporary);
  await mkdir(outdir, { recursive: true });
  const common = {
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    outExtension: { '.js': '.mjs' },
    absWorkingDir: PROJECT_ROOT,
    metafile: true,
    logLevel: 'warning' as const,
  };
  try {
    const [functions, worker] = await Promise.all([
      build({
        ...common,
        ...functionBuildOptions(),
        entryPoints: Object.fromEntries(
          names.map((name) => [`${name}/index`, join(PROJECT_ROOT, 'functions', `${name}.ts`)]),
        ),
        outdir,
      }),
      build({
        ...common,
        entryPoints: { worker: WORKER_SOURCE },
        outdir,
        target: 'node22',
      }),
    ]);
    const inputs: Record<string, string> = {};
    const paths = [
      ...Object.keys(functions.metafile?.inputs ?? {}),
      ...Object.keys(worker.metafile?.inputs ?? {}),
    ].filter((path) => !path.includes(':'));
    await Promise.all(
      paths.map(async (path) => {
        const hash = await sha256File(join(PROJECT_ROOT, path));
        if (hash) inputs[path] = hash;
      }),
    );
    const digest = createHash('sha256')
      .update(key)
      .update(JSON.stringify(Object.entries(inputs).sort()))
      .digest('hex')
      .slice(0, 16);
    try {
      await rename(outdir, join(BUNDLE_CACHE_DIR, digest));
    } catch {
      // Another start built the same inputs a moment ago: use its directory.
      await rm(outdir, { recursive: true, force: true });
    }
    const manifest: Manifest = {
      version: MANIFEST_VERSION,
      key,
      directory: digest,
      names: [...names],
      nodeOptions: FUNCTION_NODE_OPTIONS,
      inputs,
    };
    const manifestTemporary = join(BUNDLE_CACHE_DIR, `manifest-${temporary}.json`);
    await writeFile(manifestTemporary, JSON.stringify(manifest));
    await rename(manifestTemporary, join(BUNDLE_CACHE_DIR, 'manifest.json'));
    await pruneOldBuilds(digest);
    return bundlesOf(manifest, false, started);
  } catch (error) {
    await rm(outdir, { recursive: true, force: true });
    throw error;
  }
}
