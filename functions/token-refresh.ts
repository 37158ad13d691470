/**
 * token-refresh (schedule every 30 minutes, and once at deploy): the only function that calls
 * RingCentral's OAuth endpoint. Refreshes the session secret when the access token would have
 * under 15 minutes left at the next run, logs in with the JWT when the refresh token is dead,
 * and takes a lease in the state table so that overlapping runs refresh once.
 */
import type { SecretsStore } from '../lib/aws/secrets.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import { createOAuthClient, type RingCentralHooks } from '../lib/ringcentral/index.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import {
  functionContext,
  ringCentralSecrets,
  ringCentralSecretsEnv,
} from '../lib/runtime/function-context.ts';
import { createJobHandler } from '../lib/runtime/job-stack.ts';
import {
  type DeployResponse,
  deployResponse,
  isDeployRequest,
  isPlaceholderCredentials,
} from '../lib/session/deploy-request.ts';
import type { LeaseStore } from '../lib/session/lease.ts';
import type { RefreshPolicy } from '../lib/session/refresh-policy.ts';
import { recordRefreshOutcome } from '../lib/session/refresh-report.ts';
import { type RefreshOutcome, refreshSession, type TokenGrants } from '../lib/session/refresher.ts';
import * as z from '../lib/validation/zod.ts';

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

/** What the handler works with; tests pass their own. */
export interface TokenRefreshDependencies {
  store: SecretsStore;
  credentialsSecretId: string;
  sessionSecretId: string;
  /** The state table (its lease). */
  leases: LeaseStore;
  policy: RefreshPolicy;
  /** The OAuth grants for the given credentials; default lib/ringcentral's OAuth client. */
  grants?: (
    credentials: { server: string; clientId: string; clientSecret: string },
    hooks: RingCentralHooks,
  ) => TokenGrants;
  /** Clock for expiry decisions (tests compress a day into seconds). */
  now?: () => number;
}

/** Builds the token-refresh handler. */
export function createHandler(dependencies: TokenRefreshDependencies) {
  const context = functionContext('token-refresh');
  const now = dependencies.now ?? Date.now;
  const grantsFor =
    dependencies.grants ??
    ((credentials, clientHooks) => createOAuthClient({ ...credentials, hooks: clientHooks, now }));
  return createJobHandler({
    ...context,
    event: tokenRefreshEvent,
    handler: async (event, job): Promise<RefreshOutcome | DeployResponse> => {
      const deploy = isDeployRequest(event);
      // Deleting the stack has no session to undo, and must not depend on RingCentral.
      if (deploy && event.RequestType === 'Delete') return deployResponse('none');
      const credentials = await dependencies.store.credentials(dependencies.credentialsSecretId);
      if (deploy && isPlaceholderCredentials(credentials)) {
        context.logger.warn('The credentials secret is not filled yet: no refresh at this deploy');
        return deployResponse('credentials-not-set');
      }
      const outcome = await refreshSession({
        sessions: {
          read: (options) => dependencies.store.session(dependencies.sessionSecretId, options),
          write: (session) =>
            dependencies.store.writeSession(dependencies.sessionSecretId, session),
        },
        grants: grantsFor(credentials, context.hooks),
        leases: dependencies.leases,
        jwt: credentials.jwt,
        owner: job.lambdaContext.awsRequestId,
        // The lease must outlive this invocation's work; Lambda stops us at the deadline anyway.
        leaseTtlMs: Math.max(10_000, job.deadline - Date.now() + 5_000),
        force: deploy || event.force === true,
        policy: dependencies.policy,
        now,
        callOptions: { signal: job.signal, deadline: job.deadline },
      });
      recordRefreshOutcome(outcome, context);
      return deploy ? deployResponse(outcome.action) : outcome;
    },
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
