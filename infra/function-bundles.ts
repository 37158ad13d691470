/**
 * How the Lambda functions are bundled: the esbuild settings they share, and the code asset of
 * each, cut from ONE esbuild build of all of them per synth.
 *
 * Why one build: NodejsFunction bundles each function on its own, spawning `npx esbuild` (about
 * 0.4 s of npx start-up before esbuild's 0.1 s of work) and two shell commands for the exec
 * wrapper, seventeen times; one build of every entry through esbuild's JS API does the same work
 * in one process, about 9 s less per `cdk synth` (docs/BENCHMARKS.md, synth).
 */
import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { type BuildOptions, buildSync, type OutputFile } from 'esbuild';
import { FUNCTION_NAMES, type FunctionName } from './function-names.ts';

/** The repository root: entries, the lock file and esbuild's working directory. */
export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Whether the AWS SDK v3 is bundled into each function or left to the copy the Lambda runtime
 * ships. Decided by measurement (docs/BENCHMARKS.md, `bundles`): with the SDK external the
 * bundles are 35-45% smaller and their cold import was no slower (about 5% faster over all nine
 * functions, 10-30% faster for the HTTP send functions, median of 9 fresh processes each).
 */
export const BUNDLE_AWS_SDK = false;

/**
 * The exec wrapper in the repository, and its file in each function's bundle. The Node.js
 * runtime's bootstrap puts its own `--max-semi-space-size` on node's command line, where it beats
 * NODE_OPTIONS; the wrapper (named by AWS_LAMBDA_EXEC_WRAPPER) drops it.
 */
export const NODE_WRAPPER = { source: 'infra/lambda/node-wrapper.sh', file: 'node-wrapper.sh' };

/**
 * The esbuild options every function is bundled with, the one place they are decided (the
 * stack's bundles, `npm start`'s and the benches' build with them, adding where their output
 * goes). ESM output needs `require` for the few CommonJS dependencies that call it, hence the
 * banner.
 */
export function functionBuildOptions(): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    sourcemap: true,
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
    },
    external: BUNDLE_AWS_SDK ? [] : ['@aws-sdk/*', '@smithy/*'],
  };
}

/**
 * Where esbuild is told the bundles go (they stay in memory): each function's in its own
 * directory two levels below the project, as CDK's own `cdk.out/bundling-temp-*` were, so the
 * source maps name `../../functions/...` wherever cdk.out is, and an unchanged function keeps its
 * asset hash from synth to synth.
 */
const NOMINAL_OUTDIR = join(PROJECT_ROOT, 'cdk.out');

/** Each function's bundle files (index.mjs, index.mjs.map), by function name. */
type FunctionBundles = ReadonlyMap<FunctionName, readonly OutputFile[]>;

/** Bundles every function of functions/ in one esbuild run; throws esbuild's errors. */
function buildFunctionBundles(): FunctionBundles {
  const options: BuildOptions = {
    ...functionBuildOptions(),
    entryPoints: Object.fromEntries(
      FUNCTION_NAMES.map((name) => [
        `${name}/index`,
        join(PROJECT_ROOT, 'functions', `${name}.ts`),
      ]),
    ),
    outdir: NOMINAL_OUTDIR,
    outExtension: { '.js': '.mjs' },
    write: false,
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'warning',
  };
  const bundles = new Map<FunctionName, OutputFile[]>(FUNCTION_NAMES.map((name) => [name, []]));
  for (const file of buildSync(options).outputFiles ?? []) {
    const name = dirname(relative(NOMINAL_OUTDIR, file.path)) as FunctionName;
    bundles.get(name)?.push(file);
  }
  return bundles;
}

/** The one build of each app (each synth), made when its first function is bundled. */
const buildsByApp = new WeakMap<IConstruct, FunctionBundles>();

/**
 * Writes one function's asset: its bundle files from the app's shared build, and the exec
 * wrapper, executable (the zip keeps the mode). Never declines, so CDK never tries Docker.
 */
class SharedBuildBundling implements ILocalBundling {
  /**
   * CDK caches assets by the JSON of their bundling options: the name keeps the functions'
   * assets apart (the app, a private field, stays out of that JSON).
   */
  readonly functionName: FunctionName;
  readonly #app: IConstruct;

  constructor(app: IConstruct, functionName: FunctionName) {
    this.#app = app;
    this.functionName = functionName;
  }

  tryBundle(outputDir: string): boolean {
    let bundles = buildsByApp.get(this.#app);
    if (!bundles) {
      bundles = buildFunctionBundles();
      buildsByApp.set(this.#app, bundles);
    }
    for (const file of bundles.get(this.functionName) ?? []) {
      writeFileSync(join(outputDir, basename(file.path)), file.contents);
    }
    const wrapper = join(outputDir, NODE_WRAPPER.file);
    copyFileSync(join(PROJECT_ROOT, NODE_WRAPPER.source), wrapper);
    chmodSync(wrapper, 0o755);
    return true;
  }
}

/**
 * The code asset of function `name`: `index.mjs` (handler `index.handler`), its source map and
 * the exec wrapper, hashed by that output like NodejsFunction's. Synthesising without bundling
 * (`aws:cdk:bundling-stacks: []`, as the infra tests do) runs no esbuild at all.
 */
export function functionCode(scope: IConstruct, name: FunctionName): lambda.AssetCode {
  return lambda.Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type, never pulled: the local bundling above always bundles or throws.
      image: DockerImage.fromRegistry('dummy'),
      local: new SharedBuildBundling(scope.node.root, name),
    },
  });
}
