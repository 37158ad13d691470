/**
 * Which test files need a worker of their own (vitest.config.ts). A function module
 * (functions/*.ts) reads its configuration from the environment when it is imported, as at a
 * cold start, and the tests import it with their own servers' endpoints (importWithEnvironment).
 * In a worker shared with other files the module would already be loaded, configured for a file
 * that has stopped its servers. Every other file builds what it tests from arguments and can share
 * a worker, which spares it a process start and a fresh module graph.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** A relative import or re-export, static or dynamic with a literal specifier. */
const RELATIVE_IMPORT =
  /(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Each module's relative imports (absolute paths); undefined for a file that does not exist. */
type ImportCache = Map<string, string[] | undefined>;

/**
 * The modules `file` (absolute) imports relatively, read once per file: the test files share
 * most of their graph, and reading it again for each of them cost most of the walk.
 */
function importsOf(file: string, cache: ImportCache): string[] | undefined {
  if (!cache.has(file)) {
    cache.set(
      file,
      existsSync(file)
        ? [...readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)].map((match) =>
            resolve(dirname(file), match[1] ?? match[2] ?? ''),
          )
        : undefined,
    );
  }
  return cache.get(file);
}

/** Whether `file` (absolute) imports, directly or through other modules, one under `target`. */
function reaches(file: string, target: string, seen: Set<string>, cache: ImportCache): boolean {
  if (seen.has(file)) return false;
  const imports = importsOf(file, cache);
  if (imports === undefined) return false;
  seen.add(file);
  if (file.startsWith(target)) return true;
  return imports.some((imported) => reaches(imported, target, seen, cache));
}

/** Every `*.test.ts` file under `directory`, recursively, relative to `root`. */
function testFiles(root: string, directory: string): string[] {
  return readdirSync(join(root, directory), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => relative(root, join(root, directory, file)))
    .sort();
}

/**
 * The test files under `root`/test whose imports reach a module in `root`/functions, relative to
 * `root`: the ones that need a worker of their own.
 */
export function filesImportingFunctionModules(root: string): string[] {
  const functions = join(resolve(root), 'functions/');
  const cache: ImportCache = new Map();
  return testFiles(root, 'test').filter((file) =>
    reaches(resolve(root, file), functions, new Set(), cache),
  );
}
