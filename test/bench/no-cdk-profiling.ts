/**
 * Imported first by the bench runner. aws-cdk-lib, which the bundle and start benchmarks load,
 * wraps every `fs` and `child_process` function in its own profiling (unless NODE_ENV is `test`,
 * as under Vitest, or CDK_NO_PERF_BUILTINS is set). The runner also hosts s3rver and dynalite, so
 * that wrapper would tax every file the local S3 writes, on both sides of a comparison.
 */
process.env.CDK_NO_PERF_BUILTINS ??= '1';
