/**
 * The wiring every function repeats: its logger, metrics and the RingCentral hooks that feed them
 * (in `createHandler`), and where its RingCentral client comes from (in
 * `dependenciesFromEnvironment`).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { DEFAULT_MEDIUM_RESERVE, mediumSafety } from '../archive/budget.ts';
import {
  createRingCentralFromSecrets,
  type RingCentralProviderOptions,
  ringCentralProvider,
} from '../aws/ringcentral.ts';
import { createSecretsStore, type SecretsStore } from '../aws/secrets.ts';
import type { RingCentral, RingCentralHooks } from '../ringcentral/index.ts';
import { env } from './config.ts';
import { createLogger } from './logger.ts';
import { createMetrics, ringCentralHooks } from './metrics.ts';

/**
 * A function's service name, logger and metrics (spread it into `createHttpHandler`,
 * `createRawHttpHandler` or `createJobHandler` options, which take these three), and RingCentral
 * client hooks that log and count into the same logger and metrics.
 */
export interface FunctionContext {
  service: string;
  logger: Logger;
  metrics: Metrics;
  hooks: RingCentralHooks;
}

/** The context of the function named `service`; call it once per handler. */
export function functionContext(service: string): FunctionContext {
  const logger = createLogger(service);
  const metrics = createMetrics(service, logger);
  return { service, logger, metrics, hooks: ringCentralHooks(logger, metrics) };
}

/**
 * The environment of a function that calls RingCentral: the secrets holding its credentials and
 * the session token-refresh maintains. A shape to spread into the function's `z.object`.
 */
export const ringCentralSecretsEnv = {
  CREDENTIALS_SECRET_ID: env.requiredString,
  SESSION_SECRET_ID: env.requiredString,
};

/** The validated values of {@link ringCentralSecretsEnv}, and the state table when the function has one. */
export interface RingCentralSecretIds {
  CREDENTIALS_SECRET_ID: string;
  SESSION_SECRET_ID: string;
  /** The state table: where the rate budget every function of the user shares is kept. */
  STATE_TABLE_NAME?: string;
}

/**
 * Those secrets, read through one Secrets Manager store for the container. A function that has
 * the state table spends the budget every container and worker of the RingCentral user shares
 * (`lib/aws/shared-rate-budget.ts`): one penalty stops them all, and many containers never mean
 * a 429. Its role needs GetItem and UpdateItem on the table's `ratebudget#` items.
 */
export function ringCentralSecrets(
  config: RingCentralSecretIds,
  store: SecretsStore = createSecretsStore(),
): RingCentralProviderOptions {
  return {
    store,
    credentialsSecretId: config.CREDENTIALS_SECRET_ID,
    sessionSecretId: config.SESSION_SECRET_ID,
    ...(config.STATE_TABLE_NAME === undefined
      ? {}
      : { sharedRateBudget: { tableName: config.STATE_TABLE_NAME } }),
  };
}

/**
 * The container's RingCentral client, built from those secrets on first use with the hooks of
 * the invocation that asks first (`ringCentralProvider`).
 */
export function ringCentralFromSecrets(
  config: RingCentralSecretIds,
): (hooks: RingCentralHooks) => Promise<RingCentral> {
  return ringCentralProvider(ringCentralSecrets(config));
}

/**
 * How a job that downloads or deletes in bulk (archive, purge) asks for its client: the
 * runtime's hooks, and the Medium requests per window it leaves unused for interactive sends.
 */
export interface ReservedClientOptions {
  hooks: RingCentralHooks;
  safety: { Medium: number };
}

/** Those options for a share of the Medium window (default `DEFAULT_MEDIUM_RESERVE`). */
export function reservedClientOptions(
  hooks: RingCentralHooks,
  mediumReserve: number = DEFAULT_MEDIUM_RESERVE,
): ReservedClientOptions {
  return { hooks, safety: { Medium: mediumSafety(mediumReserve) } };
}

/**
 * A client per call, built from the secrets with the given hooks and Medium safety: a bulk job
 * makes one per invocation, so each invocation's hooks feed its own logger and metrics.
 */
export function reservedRingCentralFromSecrets(
  config: RingCentralSecretIds,
): (options: ReservedClientOptions) => Promise<RingCentral> {
  const secrets = ringCentralSecrets(config);
  return ({ hooks, safety }) =>
    createRingCentralFromSecrets({ ...secrets, hooks, limits: { safety } });
}
