import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { TokenSource } from '../ringcentral/index.ts';
import { AuthError, createReloadingTokenSource, sleepWithin } from '../ringcentral/index.ts';
import { fieldPath, issueMessage } from '../validation/issues.ts';
import * as z from '../validation/zod.ts';

/** The credentials secret: the app and the JWT of the user it acts as, and where RingCentral is. */
export interface Credentials {
  clientId: string;
  clientSecret: string;
  jwt: string;
  server: string;
  mediaServer?: string;
}

/** The session secret, written only by token-refresh. Times are ISO 8601. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
  refreshExpiresAt: string;
}

/** Reads and writes the two secrets of the deployment. */
export interface SecretsStore {
  /** The credentials, cached; validated (the error names the field, never the value). */
  credentials(secretId: string): Promise<Credentials>;
  /** The session, cached at most `maxAgeSeconds` (60 s); undefined when not yet written. */
  session(secretId: string, options?: { forceFetch?: boolean }): Promise<Session | undefined>;
  /** Stores a new version of the session secret (PutSecretValue); only token-refresh calls it. */
  writeSession(secretId: string, session: Session): Promise<void>;
}

/** A secret exists but does not have the expected shape. */
export class SecretFormatError extends Error {
  override name = 'SecretFormatError';
  /** The secret's id (a name or ARN, not a value). */
  readonly secretId: string;
  constructor(secretId: string, problem: string, options?: { cause?: unknown }) {
    super(`Secret ${secretId} ${problem}`, options);
    this.secretId = secretId;
  }
}

/** The session secret has not been written yet (token-refresh has not run), or holds no token. */
export class SessionUnavailableError extends AuthError {
  override name = 'SessionUnavailableError';
}

const httpUrl = z.url({ protocol: /^https?$/ });

/** Schema of the credentials secret. */
export const credentialsSchema = z.object({
  clientId: z.string().check(z.minLength(1)),
  clientSecret: z.string().check(z.minLength(1)),
  jwt: z.string().check(z.minLength(1)),
  server: httpUrl,
  mediaServer: z.optional(httpUrl),
});

const isoDate = z.iso.datetime({ offset: true });

/** Schema of the session secret. */
export const sessionSchema = z.object({
  accessToken: z.string().check(z.minLength(1)),
  refreshToken: z.string().check(z.minLength(1)),
  expiresAt: isoDate,
  refreshExpiresAt: isoDate,
});

/** The longest a session may be served from cache: the refresher rotates tokens. */
export const MAX_SESSION_CACHE_SECONDS = 60;

/** Names the bad fields without echoing any value. */
function describe(error: z.$ZodError): string {
  return error.issues
    .map((issue) => `${fieldPath(issue.path) || '(value)'} ${issueMessage(issue)}`)
    .join('; ');
}

function isNotFound(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current.name === 'ResourceNotFoundException') return true;
  }
  return false;
}

function parseSecretJson(secretId: string, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    throw new SecretFormatError(secretId, 'is not JSON', { cause: error });
  }
}

/**
 * A secrets store on Powertools' SecretsProvider (the project's one secrets mechanism).
 * Concurrent reads of the same secret share one request.
 */
export function createSecretsStore(options?: {
  client?: SecretsManagerClient;
  /** Cache age for the session; capped at 60 s. Credentials are cached 5 minutes. */
  maxAgeSeconds?: number;
}): SecretsStore {
  const client = options?.client ?? new SecretsManagerClient({});
  const provider = new SecretsProvider({ awsSdkV3Client: client });
  const sessionMaxAge = Math.min(options?.maxAgeSeconds ?? MAX_SESSION_CACHE_SECONDS, 60);
  const inFlight = new Map<string, Promise<unknown>>();

  const read = (secretId: string, maxAge: number, forceFetch: boolean): Promise<unknown> => {
    const key = `${secretId}\u0000${forceFetch}`;
    let pending = inFlight.get(key);
    if (!pending) {
      pending = provider
        .get(secretId, { maxAge, forceFetch })
        .finally(() => inFlight.delete(key)) as Promise<unknown>;
      inFlight.set(key, pending);
    }
    return pending;
  };

  return {
    credentials: async (secretId) => {
      const raw = await read(secretId, 300, false);
      const result = credentialsSchema.safeParse(parseSecretJson(secretId, raw));
      if (!result.success) {
        throw new SecretFormatError(secretId, `is invalid: ${describe(result.error)}`);
      }
      return result.data;
    },
    session: async (secretId, sessionOptions) => {
      let raw: unknown;
      try {
        raw = await read(secretId, sessionMaxAge, sessionOptions?.forceFetch === true);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
      if (raw === undefined || raw === '') return undefined;
      const value = parseSecretJson(secretId, raw);
      // A secret created by the deployment before the first refresh holds a placeholder.
      if (value === null || typeof value !== 'object' || !('accessToken' in value))
        return undefined;
      const result = sessionSchema.safeParse(value);
      if (!result.success) {
        throw new SecretFormatError(secretId, `is invalid: ${describe(result.error)}`);
      }
      return result.data;
    },
    writeSession: async (secretId, session) => {
      const valid = sessionSchema.parse(session);
      await client.send(
        new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(valid) }),
      );
      provider.clearCache();
    },
  };
}

/** Settings of {@link createSessionTokenSource}. */
export interface SessionTokenSourceOptions {
  /** Re-read this long before the cached token expires; default 60 s. */
  marginMs?: number;
  /**
   * After a rejection, how long to keep re-reading while the secret still holds the rejected
   * token: the refresher kills the old token at RingCentral a moment before it writes the new
   * one. Default 5 s (bounded by the caller's signal).
   */
  rotationWaitMs?: number;
  now?: () => number;
}

/**
 * The token source of every function but token-refresh: reads the session secret (cached), and
 * after RingCentral rejects a token, or when the cached one is about to expire, re-reads it
 * bypassing the cache. It never logs in (DESIGN invariant 5). A rejected token is never served
 * again: while the secret still holds it (the refresher is between rotating and writing), it
 * re-reads with a short backoff.
 */
export function createSessionTokenSource(
  store: SecretsStore,
  sessionSecretId: string,
  options?: SessionTokenSourceOptions,
): TokenSource {
  const now = options?.now ?? Date.now;
  const marginMs = options?.marginMs ?? 60_000;
  const rotationWaitMs = options?.rotationWaitMs ?? 5_000;
  const rejected = new Set<string>();
  let forceNext = false;

  const load = async (loadOptions?: { signal?: AbortSignal }) => {
    const force = forceNext;
    forceNext = false;
    let session = await store.session(sessionSecretId, { forceFetch: force });
    const expiring = (value: Session | undefined) =>
      value !== undefined && Date.parse(value.expiresAt) - marginMs <= now();
    if (session && (rejected.has(session.accessToken) || (!force && expiring(session)))) {
      session = await store.session(sessionSecretId, { forceFetch: true });
    }
    const started = Date.now();
    for (let delayMs = 50; session && rejected.has(session.accessToken); delayMs *= 2) {
      if (Date.now() - started >= rotationWaitMs) break;
      await sleepWithin(
        Math.min(delayMs, 1_000),
        loadOptions,
        'wait for a new RingCentral session',
      );
      session = await store.session(sessionSecretId, { forceFetch: true });
    }
    if (!session) {
      throw new SessionUnavailableError(
        'The RingCentral session secret has not been written yet; token-refresh must run first',
      );
    }
    return { accessToken: session.accessToken, expiresAt: Date.parse(session.expiresAt) };
  };
  // Never serve a token read more than a cache period ago: an idle container would otherwise wake
  // up holding a token that one or two refreshes have already killed.
  const reloading = createReloadingTokenSource({
    load,
    marginMs,
    maxAgeMs: MAX_SESSION_CACHE_SECONDS * 1000,
    now,
  });
  return {
    getToken: async (getOptions) => {
      const token = await reloading.getToken(getOptions);
      if (!rejected.has(token.accessToken)) return token;
      // A read that finished just before the rejection was recorded: read again.
      forceNext = true;
      return reloading.getToken({ ...getOptions, forceRefresh: true });
    },
    invalidate: async (token) => {
      rejected.add(token.accessToken);
      // Only the last few matter: older tokens are long gone from the secret.
      if (rejected.size > 8) rejected.delete(rejected.values().next().value as string);
      forceNext = true;
      await reloading.invalidate?.(token);
    },
  };
}
