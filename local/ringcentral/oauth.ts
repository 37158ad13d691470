/**
 * The OAuth side of the emulator: JWT and refresh_token grants with Basic client auth, expiring
 * access tokens, single-use refresh tokens with a short grace for a racing duplicate, a cap on
 * parallel sessions per user and app (the oldest session is ended), and revoke.
 */
import { randomBytes } from 'node:crypto';
import { RcError } from './errors.ts';

/** The client credentials and JWT the emulator accepts. */
export interface EmulatorCredentials {
  clientId: string;
  clientSecret: string;
  jwt: string;
}

/**
 * A further user who logs in with the JWT grant. `admin: false` makes a token that may read only
 * its own extension: every other extension's message store, sync, content, sends and extension
 * read answer 403 CMN-408.
 */
export interface EmulatorLogin {
  jwt: string;
  extensionId: string;
  admin: boolean;
}

/** Options of {@link OAuthServer}. */
export interface OAuthOptions {
  credentials: EmulatorCredentials;
  /** The extension the credentials' JWT belongs to (an admin unless `logins` says otherwise). */
  userExtensionId: string;
  /** Further JWTs, or the credentials' JWT with another user or role; these win. */
  logins?: readonly EmulatorLogin[];
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  maxSessions: number;
  /** How long a used refresh token still answers with the tokens it was exchanged for. */
  refreshGraceMs?: number;
  now?: () => number;
}

/** The spec's TokenInfo. */
export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  refresh_token: string;
  refresh_token_expires_in: number;
  scope: string;
  owner_id: string;
  endpoint_id: string;
  session_id: string;
}

/** Who a valid access token belongs to. */
export interface Principal {
  clientId: string;
  extensionId: string;
  sessionId: string;
  /** Whether the user's role reaches other extensions of the account. */
  admin: boolean;
}

interface Session {
  id: string;
  clientId: string;
  extensionId: string;
  admin: boolean;
  endpointId: string;
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
  accessTtl: number;
  /** The refresh token this session's tokens were issued for, usable until `until`. */
  previous?: { refreshToken: string; until: number };
  createdAt: number;
}

const SCOPE =
  'ReadMessages EditMessages SMS InternalMessages Faxes ReadAccounts SubscriptionWebhook';
const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function token(): string {
  return randomBytes(36).toString('base64url');
}

/** Issues, checks and revokes tokens; all state in memory. */
export class OAuthServer {
  private readonly options: OAuthOptions;
  private readonly now: () => number;
  private readonly sessions = new Map<string, Session>();
  private readonly byAccess = new Map<string, Session>();
  private readonly byRefresh = new Map<string, Session>();
  private readonly byPreviousRefresh = new Map<string, Session>();

  constructor(options: OAuthOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** Checks HTTP Basic client authentication; returns the client id. */
  authenticateClient(authorization: string | undefined): string {
    const { clientId, clientSecret } = this.options.credentials;
    const match = /^Basic\s+(.+)$/i.exec(authorization ?? '');
    const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString() : '';
    const colon = decoded.indexOf(':');
    const id = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    if (colon < 0 || id !== clientId || secret !== clientSecret) {
      throw new RcError(400, 'OAU-123', 'Invalid client: client authentication failed', {
        oauthError: 'invalid_client',
      });
    }
    return id;
  }

  /** Handles POST /restapi/oauth/token; returns the grant type used and the token response. */
  grant(
    form: URLSearchParams,
    authorization: string | undefined,
  ): { grantType: 'jwt' | 'refresh'; response: TokenResponse } {
    const clientId = this.authenticateClient(authorization);
    const grantType = form.get('grant_type');
    if (grantType === JWT_GRANT) {
      const user = this.userOf(form.get('assertion'));
      if (!user) {
        throw new RcError(400, 'OAU-140', 'Invalid assertion: JWT is not valid', {
          oauthError: 'invalid_grant',
        });
      }
      return { grantType: 'jwt', response: this.login(clientId, user, form) };
    }
    if (grantType === 'refresh_token') {
      return { grantType: 'refresh', response: this.refresh(clientId, form) };
    }
    throw new RcError(400, 'OAU-250', `Unsupported grant type [${grantType ?? ''}]`, {
      oauthError: 'unsupported_grant_type',
    });
  }

  /** Handles POST /restapi/oauth/revoke: ends the session of an access or refresh token. */
  revoke(form: URLSearchParams, authorization: string | undefined, queryToken?: string): void {
    this.authenticateClient(authorization);
    const value = form.get('token') ?? queryToken;
    if (!value) {
      throw new RcError(400, 'OAU-251', 'Token is required', {
        oauthError: 'invalid_request',
        parameterName: 'token',
      });
    }
    const session = this.byAccess.get(value) ?? this.byRefresh.get(value);
    if (session) this.end(session);
  }

  /** Resolves a bearer access token, or throws 401 OAU-210 (expired) / OAU-213 (not found). */
  authenticate(accessToken: string | undefined): Principal {
    if (!accessToken) {
      throw new RcError(401, 'OAU-213', 'Token not found: Authorization header is missing');
    }
    const session = this.byAccess.get(accessToken);
    if (!session) throw new RcError(401, 'OAU-213', 'Token not found');
    if (session.accessExpiresAt <= this.now()) throw new RcError(401, 'OAU-210', 'Token expired');
    return {
      clientId: session.clientId,
      extensionId: session.extensionId,
      sessionId: session.id,
      admin: session.admin,
    };
  }

  /** Number of live sessions (for tests). */
  sessionCount(): number {
    return this.sessions.size;
  }

  /** The user a JWT logs in as: a listed login first, else the credentials' admin user. */
  private userOf(assertion: string | null): { extensionId: string; admin: boolean } | undefined {
    const login = this.options.logins?.find((entry) => entry.jwt === assertion);
    if (login) return { extensionId: login.extensionId, admin: login.admin };
    if (assertion === this.options.credentials.jwt) {
      return { extensionId: this.options.userExtensionId, admin: true };
    }
    return undefined;
  }

  private login(
    clientId: string,
    user: { extensionId: string; admin: boolean },
    form: URLSearchParams,
  ): TokenResponse {
    const { extensionId } = user;
    const now = this.now();
    const own = [...this.sessions.values()]
      .filter((session) => session.clientId === clientId && session.extensionId === extensionId)
      .sort((a, b) => a.createdAt - b.createdAt);
    // RingCentral keeps a few sessions per user and app; a new login ends the oldest one.
    while (own.length >= this.options.maxSessions) {
      const oldest = own.shift();
      if (oldest) this.end(oldest);
    }
    const accessTtl = this.accessTtl(form);
    const session: Session = {
      id: token().slice(0, 24),
      clientId,
      extensionId,
      admin: user.admin,
      endpointId: form.get('endpoint_id') ?? token().slice(0, 22),
      accessToken: token(),
      accessExpiresAt: now + accessTtl * 1000,
      refreshToken: token(),
      refreshExpiresAt: now + this.options.refreshTokenTtlSeconds * 1000,
      accessTtl,
      createdAt: now,
    };
    this.sessions.set(session.id, session);
    this.byAccess.set(session.accessToken, session);
    this.byRefresh.set(session.refreshToken, session);
    return this.response(session);
  }

  private refresh(clientId: string, form: URLSearchParams): TokenResponse {
    const presented = form.get('refresh_token') ?? '';
    const now = this.now();
    const previous = this.byPreviousRefresh.get(presented);
    if (previous?.previous && previous.previous.refreshToken === presented) {
      if (previous.previous.until > now && this.sessions.has(previous.id)) {
        // A duplicate refresh racing the first one gets the same tokens instead of failing.
        return this.response(previous);
      }
      throw new RcError(400, 'OAU-213', 'Token not found: refresh token was already used', {
        oauthError: 'invalid_grant',
      });
    }
    const session = this.byRefresh.get(presented);
    if (!session || session.clientId !== clientId) {
      throw new RcError(400, 'OAU-213', 'Token not found', { oauthError: 'invalid_grant' });
    }
    if (session.refreshExpiresAt <= now) {
      this.end(session);
      throw new RcError(400, 'OAU-210', 'Token expired', { oauthError: 'invalid_grant' });
    }
    if (session.previous) this.byPreviousRefresh.delete(session.previous.refreshToken);
    // Single use: the old refresh token and the old access token die now.
    this.byRefresh.delete(session.refreshToken);
    this.byAccess.delete(session.accessToken);
    session.previous = {
      refreshToken: session.refreshToken,
      until: now + (this.options.refreshGraceMs ?? 5000),
    };
    this.byPreviousRefresh.set(session.refreshToken, session);
    session.accessTtl = this.accessTtl(form, session.accessTtl);
    session.accessToken = token();
    session.accessExpiresAt = now + session.accessTtl * 1000;
    session.refreshToken = token();
    session.refreshExpiresAt = now + this.options.refreshTokenTtlSeconds * 1000;
    this.byAccess.set(session.accessToken, session);
    this.byRefresh.set(session.refreshToken, session);
    return this.response(session);
  }

  private accessTtl(form: URLSearchParams, fallback = this.options.accessTokenTtlSeconds): number {
    const requested = Number(form.get('access_token_ttl'));
    return Number.isInteger(requested) && requested > 0
      ? Math.min(requested, this.options.accessTokenTtlSeconds)
      : fallback;
  }

  private end(session: Session): void {
    this.sessions.delete(session.id);
    this.byAccess.delete(session.accessToken);
    this.byRefresh.delete(session.refreshToken);
    if (session.previous) this.byPreviousRefresh.delete(session.previous.refreshToken);
  }

  private response(session: Session): TokenResponse {
    const now = this.now();
    return {
      access_token: session.accessToken,
      token_type: 'bearer',
      expires_in: Math.max(0, Math.round((session.accessExpiresAt - now) / 1000)),
      refresh_token: session.refreshToken,
      refresh_token_expires_in: Math.max(0, Math.round((session.refreshExpiresAt - now) / 1000)),
      scope: SCOPE,
      owner_id: session.extensionId,
      endpoint_id: session.endpointId,
      session_id: session.id,
    };
  }
}
