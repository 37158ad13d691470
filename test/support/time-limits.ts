/**
 * Time limits for tests whose work is long and CPU-bound (a CDK synth, a child process that
 * compiles TypeScript, a simulated day of traffic). On the 2-core machine shared by a suite per
 * engineer such a test gets a tenth of a core or less, so these limits are about ten times what
 * it needs on an idle machine: they stop a hang, they never measure speed.
 */

/**
 * One in-process synth with cdk-nag and cfn-guard, a `tsx` or `cdk` child process, or importing
 * every function module.
 */
export const SYNTH_TIME_LIMIT_MS = 600_000;

/** A test that replays hours or days of traffic against the local servers. */
export const SIMULATION_TIME_LIMIT_MS = 900_000;
