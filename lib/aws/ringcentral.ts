import type { RingCentral, RingCentralHooks, RingCentralOptions } from '../ringcentral/index.ts';
import { createRingCentral } from '../ringcentral/index.ts';
import type { SecretsStore } from './secrets.ts';
import { createSessionTokenSource } from './secrets.ts';

/**
 * The RingCentral client of a deployed function: server URLs from the credentials secret, the
 * bearer token from the session secret token-refresh maintains, and the runtime's hooks.
 */
export async function createRingCentralFromSecrets(options: {
  store: SecretsStore;
  credentialsSecretId: string;
  sessionSecretId: string;
  hooks?: RingCentralHooks;
  limits?: RingCentralOptions['limits'];
  fetch?: typeof fetch;
}): Promise<RingCentral> {
  const credentials = await options.store.credentials(options.credentialsSecretId);
  return createRingCentral({
    server: credentials.server,
    mediaServer: credentials.mediaServer,
    tokenSource: createSessionTokenSource(options.store, options.sessionSecretId),
    hooks: options.hooks,
    limits: options.limits,
    fetch: options.fetch,
  });
}

/** Where a function's RingCentral client comes from. */
export interface RingCentralProviderOptions {
  store: SecretsStore;
  credentialsSecretId: string;
  sessionSecretId: string;
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
