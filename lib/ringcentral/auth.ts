import type { AccessToken, TokenSource } from './auth-types.ts';
import type { LimitsOptions, RingCentralHooks, Transport } from './client.ts';
import { createTransport } from './client.ts';
import type { CallOptions } from './deadline.ts';
import { AuthError, InvalidRequestError, RingCentralError } from './errors.ts';

export type { AccessToken, TokenSource } from './auth-types.ts';

const TOKEN_PATH = '/restapi/oauth/token';
const REVOKE_PATH = '/restapi/oauth/revoke';
const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** An OAuth session as the token endpoint returns it (`TokenInfo`), with absolute expiry times. */
export interface OAuthSession extends AccessToken {
  refreshToken?: string;
  /** Epoch milliseconds. */
  refreshTokenExpiresAt?: number;
  scope?: string;
  ownerId?: string;
  sessionId?: string;
}

interface TokenInfo {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  scope?: string;
  owner_id?: string;
  session_id?: string;
}

/** Settings for the OAuth endpoint calls (Auth group, Basic client authentication). */
export interface OAuthClientOptions {
  server: string;
  clientId: string;
  clientSecret: string;
  limits?: LimitsOptions;
  hooks?: RingCentralHooks;
  fetch?: typeof fetch;
  now?: () => number;
}

/** The three OAuth calls: JWT grant, refresh grant and revoke. */
export interface OAuthClient {
  jwtGrant(jwt: string, options?: CallOptions): Promise<OAuthSession>;
  refreshGrant(refreshToken: string, options?: CallOptions): Promise<OAuthSession>;
  revoke(token: string, options?: CallOptions): Promise<void>;
}

/** Calls /restapi/oauth/token and /restapi/oauth/revoke, paced in the Auth group. */
export function createOAuthClient(options: OAuthClientOptions): OAuthClient {
  const now = options.now ?? Date.now;
  const transport: Transport = createTransport({
    server: options.server,
    clientCredentials: { clientId: options.clientId, clientSecret: options.clientSecret },
    limits: options.limits,
    hooks: options.hooks,
    fetch: options.fetch,
    now: options.now,
  });
  const grant = async (form: Record<string, string>, callOptions?: CallOptions) => {
    const started = now();
    const info = await transport.json<TokenInfo>(
      {
        method: 'POST',
        path: TOKEN_PATH,
        group: 'Auth',
        auth: 'basic',
        body: { kind: 'form', value: form },
      },
      callOptions,
    );
    if (!info || typeof info.access_token !== 'string') {
      throw new AuthError('The token endpoint answered without an access_token');
    }
    return toSession(info, started);
  };
  return {
    jwtGrant: (jwt, callOptions) => grant({ grant_type: JWT_GRANT, assertion: jwt }, callOptions),
    refreshGrant: (refreshToken, callOptions) =>
      grant({ grant_type: 'refresh_token', refresh_token: refreshToken }, callOptions),
    revoke: async (token, callOptions) => {
      await transport.send(
        {
          method: 'POST',
          path: REVOKE_PATH,
          group: 'Auth',
          auth: 'basic',
          body: { kind: 'form', value: { token } },
        },
        callOptions,
      );
    },
  };
}

function toSession(info: TokenInfo, obtainedAt: number): OAuthSession {
  // Expiry is counted from when the request started: the token may have been minted then.
  return {
    accessToken: info.access_token,
    expiresAt: obtainedAt + info.expires_in * 1000,
    refreshToken: info.refresh_token,
    refreshTokenExpiresAt:
      info.refresh_token_expires_in === undefined
        ? undefined
        : obtainedAt + info.refresh_token_expires_in * 1000,
    scope: info.scope,
    ownerId: info.owner_id,
    sessionId: info.session_id,
  };
}

/** A fixed token, for tests and for callers that manage tokens themselves. */
export function staticTokenSource(token: string | AccessToken): TokenSource {
  const value: AccessToken =
    typeof token === 'string' ? { accessToken: token, expiresAt: Number.MAX_SAFE_INTEGER } : token;
  return { getToken: async () => value };
}

/** Settings of a token source that reads a token someone else maintains. */
export interface ReloadingTokenSourceOptions {
  /** Reads the current token (e.g. from the session secret the refresher writes). */
  load(options?: { signal?: AbortSignal }): Promise<AccessToken>;
  /** Re-read this long before expiry; default 60 s. */
  marginMs?: number;
  /**
   * Re-read a token once it was read this long ago, even if it has not expired: whoever maintains
   * it may have replaced it (a refresh kills the old access token). Default: only on expiry.
   */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Caches a token read from elsewhere; concurrent callers share one read, and a rejected token
 * makes the next call re-read it. This is what deployed functions use: they never log in.
 */
export function createReloadingTokenSource(options: ReloadingTokenSourceOptions): TokenSource {
  const now = options.now ?? Date.now;
  const marginMs = options.marginMs ?? 60_000;
  const maxAgeMs = options.maxAgeMs ?? Number.POSITIVE_INFINITY;
  let current: AccessToken | undefined;
  let loadedAt = 0;
  let pending: Promise<AccessToken> | undefined;
  const reload = (signal?: AbortSignal): Promise<AccessToken> => {
    pending ??= options
      .load(signal ? { signal } : undefined)
      .then((token) => {
        current = token;
        loadedAt = now();
        return token;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  return {
    getToken: async (getOptions) => {
      const at = now();
      const fresh = current && current.expiresAt - marginMs > at && at - loadedAt < maxAgeMs;
      if (!getOptions?.forceRefresh && current && fresh) return current;
      return reload(getOptions?.signal);
    },
    invalidate: (token) => {
      if (current?.accessToken === token.accessToken) current = undefined;
    },
  };
}

/** Settings of the JWT token source (the refresher's own). */
export interface JwtTokenSourceOptions extends OAuthClientOptions {
  jwt: string;
  /** A session persisted earlier; its refresh token is used before logging in again. */
  session?: OAuthSession;
  /** Called with every new session so that it can be persisted for the other functions. */
  onSession?(session: OAuthSession): void | Promise<void>;
  /** Refresh this long before the access token expires; default 60 s. */
  marginMs?: number;
}

/** A token source that logs in with the JWT grant and refreshes with the refresh grant. */
export interface JwtTokenSource extends TokenSource {
  /** The current session, for persisting. */
  session(): OAuthSession | undefined;
  revoke(options?: CallOptions): Promise<void>;
}

/**
 * JWT login plus refresh, with one refresh in flight per process however many callers ask.
 * A refresh token is single-use, so two concurrent refreshes would kill each other (OAU-213).
 */
export function createJwtTokenSource(options: JwtTokenSourceOptions): JwtTokenSource {
  const now = options.now ?? Date.now;
  const marginMs = options.marginMs ?? 60_000;
  const oauth = createOAuthClient(options);
  let current: OAuthSession | undefined = options.session;
  let pending: Promise<OAuthSession> | undefined;

  const obtain = async (signal?: AbortSignal): Promise<OAuthSession> => {
    const callOptions = signal ? { signal } : undefined;
    let next: OAuthSession | undefined;
    const refreshToken = current?.refreshToken;
    const refreshUsable =
      refreshToken !== undefined &&
      (current?.refreshTokenExpiresAt === undefined ||
        current.refreshTokenExpiresAt - marginMs > now());
    if (refreshUsable) {
      try {
        next = await oauth.refreshGrant(refreshToken, callOptions);
      } catch (error) {
        // A dead refresh token (used elsewhere, revoked, expired): log in again with the JWT.
        if (!(error instanceof AuthError || error instanceof InvalidRequestError)) throw error;
      }
    }
    next ??= await oauth.jwtGrant(options.jwt, callOptions);
    current = next;
    await options.onSession?.(next);
    return next;
  };

  return {
    getToken: async (getOptions) => {
      if (!getOptions?.forceRefresh && current && current.expiresAt - marginMs > now())
        return current;
      pending ??= obtain(getOptions?.signal).finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate: (token) => {
      if (current?.accessToken === token.accessToken) current = { ...current, expiresAt: 0 };
    },
    session: () => current,
    revoke: async (callOptions) => {
      const token = current?.refreshToken ?? current?.accessToken;
      if (!token) throw new RingCentralError('There is no session to revoke');
      await oauth.revoke(token, callOptions);
      current = undefined;
    },
  };
}
