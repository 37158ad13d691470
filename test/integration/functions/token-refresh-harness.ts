/**
 * token-refresh's dependencies on the events harness, as the deployed function has them: the
 * harness's secrets, the lease in its state table and the deployed policy (a 30-minute schedule,
 * 15 minutes the access token must keep).
 */
import type { SecretsStore } from '../../../lib/aws/secrets.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import type { TokenRefreshDependencies } from '../../../lib/session/refresh-invocation.ts';
import { type EventsHarness, SECRET_IDS } from './events-harness.ts';

const MINUTE = 60_000;

/** The dependencies; `store` defaults to the harness's, `now` to the real clock. */
export function refreshDependencies(
  harness: EventsHarness,
  options: { store?: SecretsStore; now?: () => number } = {},
): TokenRefreshDependencies {
  return {
    store: options.store ?? harness.store,
    credentialsSecretId: SECRET_IDS.credentials,
    sessionSecretId: SECRET_IDS.session,
    leases: createStateTable({ tableName: harness.tableName, client: harness.dynamo.client }),
    policy: { scheduleIntervalMs: 30 * MINUTE, minimumRemainingMs: 15 * MINUTE },
    ...(options.now ? { now: options.now } : {}),
  };
}
