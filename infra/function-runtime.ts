/**
 * How the deployed functions' Node process is set up, apart from the code: the options and
 * variables every function's environment carries. No CDK import here, so the benchmarks that
 * reproduce these settings load them without aws-cdk-lib.
 */

/**
 * Node's options on Lambda. `--max-semi-space-size=1` bounds the memory of streamed downloads
 * (archive, fax documents): V8 then frees each socket chunk while it is young instead of 80-100
 * MiB later (docs/BENCHMARKS.md, streaming). The streaming benchmark runs with the same value.
 */
export const FUNCTION_NODE_OPTIONS = '--enable-source-maps --max-semi-space-size=1';

/**
 * Variables of the runtime itself, in every function's environment.
 *
 * `MALLOC_ARENA_MAX=1`: glibc gives each thread that allocates (V8's background threads, libuv's
 * pool) its own malloc arena, and the 64 KiB socket chunks of a stream, freed on V8's
 * ArrayBuffer sweeper thread, leave each arena holding pages it does not return. Archiving a
 * 300 MB attachment peaked 12-16 MiB lower with one arena, at the same speed
 * (docs/BENCHMARKS.md, archive-memory).
 */
export const FUNCTION_RUNTIME_ENVIRONMENT: Readonly<Record<string, string>> = {
  NODE_OPTIONS: FUNCTION_NODE_OPTIONS,
  MALLOC_ARENA_MAX: '1',
};
