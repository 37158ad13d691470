/**
 * One token-refresh invocation: a stack deletion or a deploy before the credentials secret is
 * filled answers at once; otherwise the refresher runs under the lease (forced at deploy and on
 * `{ "force": true }`), and its outcome is logged and counted.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { createOAuthClient, type RingCentralHooks } from '../ringcentral/index.ts';
import {
  type DeployResponse,
  deployResponse,
  isDeployRequest,
  isPlaceholderCredentials,
} from './deploy-request.ts';
import type { LeaseStore } from './lease.ts';
import type { RefreshPolicy, StoredSession } from './refresh-policy.ts';
import { recordRefreshOutcome } from './refresh-report.ts';
import { type RefreshOutcome, refreshSession, type TokenGrants } from './refresher.ts';

/** The app's credentials as the credentials secret holds them. */
export interface AppCredentials {
  server: string;
  clientId: string;
  clientSecret: string;
  jwt: string;
}

/** The two secrets: the credentials (read) and the session (read fresh, and written). */
export interface RefreshSecretsStore {
  credentials(secretId: string): Promise<AppCredentials>;
  session(secretId: string, options: { forceFetch: boolean }): Promise<StoredSession | undefined>;
  writeSession(secretId: string, session: StoredSession): Promise<void>;
}

/** What the token-refresh handler works with; tests pass their own. */
export interface TokenRefreshDependencies {
  store: RefreshSecretsStore;
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

/** The invocation's event: a schedule, a manual `{ force }` or the deploy's request. */
export interface RefreshEvent {
  force?: boolean | undefined;
  RequestType?: string | undefined;
}

/** Who runs the refresh, until when, and where its outcome is logged and counted. */
export interface RefreshInvocation {
  /** Unique per invocation (the Lambda request id): the lease's owner. */
  owner: string;
  deadline: number;
  signal: AbortSignal;
  logger: Logger;
  metrics: Metrics;
  hooks: RingCentralHooks;
}

/** Runs one invocation; a deploy request gets CloudFormation's answer, anything else the outcome. */
export async function refreshForInvocation(
  dependencies: TokenRefreshDependencies,
  event: RefreshEvent,
  invocation: RefreshInvocation,
): Promise<RefreshOutcome | DeployResponse> {
  const deploy = isDeployRequest(event);
  // Deleting the stack has no session to undo, and must not depend on RingCentral.
  if (deploy && event.RequestType === 'Delete') return deployResponse('none');
  const credentials = await dependencies.store.credentials(dependencies.credentialsSecretId);
  if (deploy && isPlaceholderCredentials(credentials)) {
    invocation.logger.warn('The credentials secret is not filled yet: no refresh at this deploy');
    return deployResponse('credentials-not-set');
  }
  const now = dependencies.now ?? Date.now;
  const grantsFor =
    dependencies.grants ?? ((app, hooks) => createOAuthClient({ ...app, hooks, now }));
  const { store, sessionSecretId } = dependencies;
  const outcome = await refreshSession({
    sessions: {
      read: (options) => store.session(sessionSecretId, options),
      write: (session) => store.writeSession(sessionSecretId, session),
    },
    grants: grantsFor(credentials, invocation.hooks),
    leases: dependencies.leases,
    jwt: credentials.jwt,
    owner: invocation.owner,
    // The lease must outlive this invocation's work; Lambda stops us at the deadline anyway.
    leaseTtlMs: Math.max(10_000, invocation.deadline - Date.now() + 5_000),
    force: deploy || event.force === true,
    policy: dependencies.policy,
    now,
    callOptions: { signal: invocation.signal, deadline: invocation.deadline },
  });
  recordRefreshOutcome(outcome, invocation);
  return deploy ? deployResponse(outcome.action) : outcome;
}
