/**
 * token-refresh (schedule every 30 minutes, and once at deploy): the only function that calls
 * RingCentral's OAuth endpoint. Refreshes the session secret when the access token would have
 * under 15 minutes left at the next run, logs in with the JWT when the refresh token is dead,
 * and takes a lease in the state table so that overlapping runs refresh once.
 */
import { createStateTable } from '../lib/aws/state-table.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import {
  functionContext,
  ringCentralSecrets,
  ringCentralSecretsEnv,
} from '../lib/runtime/function-context.ts';
import { createJobHandler } from '../lib/runtime/job-stack.ts';
import {
  refreshForInvocation,
  type TokenRefreshDependencies,
} from '../lib/session/refresh-invocation.ts';
import * as z from '../lib/validation/zod.ts';

export type { TokenRefreshDependencies };

const MINUTE = 60_000;

/** The environment token-refresh needs, validated at cold start. */
export const tokenRefreshConfig = z.object({
  STATE_TABLE_NAME: env.requiredString,
  ...ringCentralSecretsEnv,
  /** Must match the schedule's rate. */
  REFRESH_SCHEDULE_MINUTES: z._default(env.positiveInt, 30),
  /** Life the access token must keep at the next run. */
  REFRESH_RESERVE_MINUTES: z._default(env.positiveInt, 15),
});

/**
 * The invocation event: a scheduler event (`{}` or EventBridge's envelope), a manual
 * `{ "force": true }`, which refreshes even a lasting token (e.g. after the JWT changed), or the
 * deploy's custom-resource request (lib/session/deploy-request.ts), which forces too.
 */
export const tokenRefreshEvent = z.looseObject({
  force: z.optional(z.boolean()),
  RequestType: z.optional(z.string()),
});

/** Builds the token-refresh handler. */
export function createHandler(dependencies: TokenRefreshDependencies) {
  const context = functionContext('token-refresh');
  return createJobHandler({
    ...context,
    event: tokenRefreshEvent,
    handler: (event, job) =>
      refreshForInvocation(dependencies, event, {
        ...context,
        owner: job.lambdaContext.awsRequestId,
        deadline: job.deadline,
        signal: job.signal,
      }),
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): TokenRefreshDependencies {
  const config = loadConfig(tokenRefreshConfig, environment);
  return {
    ...ringCentralSecrets(config),
    leases: createStateTable({ tableName: config.STATE_TABLE_NAME }),
    policy: {
      scheduleIntervalMs: config.REFRESH_SCHEDULE_MINUTES * MINUTE,
      minimumRemainingMs: config.REFRESH_RESERVE_MINUTES * MINUTE,
    },
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
