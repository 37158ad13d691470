import { createHash } from 'node:crypto';
import type { RingCentral, RingCentralHooks, RingCentralOptions } from '../ringcentral/index.ts';
import { createRingCentral } from '../ringcentral/index.ts';
import type { Credentials, SecretsStore } from './secrets.ts';
import { createSessionTokenSource } from './secrets.ts';
import type { DynamoRateBudgetOptions } from './shared-rate-budget.ts';
import { createDynamoRateBudget } from './shared-rate-budget.ts';

/** Where the budget shared by every function of the deployment lives: the state table. */
export type SharedRateBudgetSettings = Omit<DynamoRateBudgetOptions, 'now' | 'random'>;

/**
 * The client of a deployed function: server URLs from the credentials secret, the bearer token
 * from the session secret token-refresh maintains, and the runtime's hooks. With
 * `sharedRateBudget` every group's requests claim their slots in the state table, so all
 * containers and workers acting as this user stay within one budget and honour one penalty.
 */
export async function createRingCentralFromSecrets(options: {
  store: SecretsStore;
  credentialsSecretId: string;
  sessionSecretId: string;
  hooks?: RingCentralHooks;
  limits?: RingCentralOptions['limits'];
  sharedRateBudget?: SharedRateBudgetSettings;
  fetch?: typeof fetch;
}): Promise<RingCentral> {
  const credentials = await options.store.credentials(options.credentialsSecretId);
  const shared = options.sharedRateBudget && {
    budget: createDynamoRateBudget(options.sharedRateBudget),
    user: rateBudgetUser(credentials),
  };
  return createRingCentral({
    server: credentials.server,
    mediaServer: credentials.mediaServer,
    tokenSource: createSessionTokenSource(options.store, options.sessionSecretId),
    hooks: options.hooks,
    limits: shared ? { ...options.limits, shared } : options.limits,
    fetch: options.fetch,
  });
}

/**
 * The id RingCentral counts requests by, user and app: the app's client id and the JWT's
 * subject (the extension the credentials act as), read without a request. A JWT without a
 * readable subject is named by a digest of it: the same in every process, and not the secret.
 */
export function rateBudgetUser(credentials: Pick<Credentials, 'clientId' | 'jwt'>): string {
  return `${credentials.clientId}:${jwtSubject(credentials.jwt) ?? `jwt-${createHash('sha256').update(credentials.jwt).digest('hex').slice(0, 16)}`}`;
}

function jwtSubject(jwt: string): string | undefined {
  const payload = jwt.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    const subject = (claims as { sub?: unknown } | null)?.sub;
    return typeof subject === 'string' && /^[\w-]{1,64}$/.test(subject) ? subject : undefined;
  } catch {
    return undefined;
  }
}

/** Where a function's RingCentral client comes from. */
export interface RingCentralProviderOptions {
  store: SecretsStore;
  credentialsSecretId: string;
  sessionSecretId: string;
  /** The state table, when the function may use it: then the fleet shares one rate budget. */
  sharedRateBudget?: SharedRateBudgetSettings;
}

/**
 * The RingCentral client of a function's container: created on first use with the hooks of that
 * invocation's stack and shared by every invocation after it. A failed creation (e.g. the secret
 * not readable yet) is not kept for the container's life: the next invocation tries again.
 */
export function ringCentralProvider(
  options: RingCentralProviderOptions,
): (hooks: RingCentralHooks) => Promise<RingCentral> {
  let client: Promise<RingCentral> | undefined;
  return (hooks) => {
    client ??= createRingCentralFromSecrets({ ...options, hooks }).catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };
}
