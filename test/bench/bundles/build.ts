/**
 * Builds each function of functions/ with the same esbuild settings the CDK stack uses
 * (infra/function-bundles.ts), once with the AWS SDK bundled and once with it left
 * external, plus a hello-world that creates one S3 client.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { functionBuildOptions, PROJECT_ROOT } from '../../../infra/function-bundles.ts';

/** How the SDK is treated. */
export type SdkMode = 'bundled' | 'external';

/** One built bundle. */
export interface BuiltBundle {
  name: string;
  mode: SdkMode;
  /** The bundle (index.mjs) path. */
  file: string;
  /** Bytes of index.mjs (minified, source map not counted). */
  bytes: number;
}

/** The hello-world every function is compared with. */
export const HELLO_WORLD = 'hello-world-s3';

const HELLO_WORLD_SOURCE = `import { S3Client } from '@aws-sdk/client-s3';
const client = new S3Client({});
export const handler = async () => client.config.serviceId;
`;

/** Output under bench-results/ (gitignored): inside the project, so an external SDK resolves
 * from node_modules as it would from the Lambda runtime's own copy. */
export const OUT_DIR = fileURLToPath(new URL('../../../bench-results/bundles/', import.meta.url));

/** Builds `entry` into OUT_DIR/<mode>/<name>/index.mjs with the stack's settings. */
export async function buildBundle(
  name: string,
  entry: string,
  mode: SdkMode,
): Promise<BuiltBundle> {
  const outdir = `${OUT_DIR}${mode}/${name}`;
  await mkdir(outdir, { recursive: true });
  const file = `${outdir}/index.mjs`;
  await build({
    ...functionBuildOptions(),
    entryPoints: [entry],
    outfile: file,
    external: mode === 'external' ? ['@aws-sdk/*', '@smithy/*'] : [],
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'silent',
  });
  return { name, mode, file, bytes: (await stat(file)).size };
}

/** Builds the hello-world and every function in `names`, in both SDK modes. */
export async function buildAll(names: readonly string[]): Promise<BuiltBundle[]> {
  const helloEntry = `${OUT_DIR}${HELLO_WORLD}.ts`;
  await mkdir(OUT_DIR, { recursive: true });
  await writeFile(helloEntry, HELLO_WORLD_SOURCE);
  const built: BuiltBundle[] = [];
  for (const mode of ['bundled', 'external'] as const) {
    built.push(await buildBundle(HELLO_WORLD, helloEntry, mode));
    for (const name of names) {
      built.push(await buildBundle(name, `${PROJECT_ROOT}functions/${name}.ts`, mode));
    }
  }
  return built;
}
