import { afterEach, describe, expect, it } from 'vitest';
import type { TokenSource } from '../../../lib/ringcentral/index.ts';
import {
  AuthError,
  createJwtTokenSource,
  createReloadingTokenSource,
  createRingCentral,
} from '../../../lib/ringcentral/index.ts';
import type { TestServer } from './support/http-server.ts';
import { sendJson, startServer } from './support/http-server.ts';

const CLIENT = { clientId: 'client-id', clientSecret: 'client-secret' };

describe('authentication', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('makes exactly one refresh request for 50 concurrent calls with an expired access token', async () => {
    // Prepare
    let issued = 0;
    server = await startServer(async (request, response) => {
      if (request.path === '/restapi/oauth/token') {
        issued += 1;
        // Slow enough that all 50 callers are waiting on the same refresh.
        await new Promise((resolve) => setTimeout(resolve, 100));
        sendJson(response, 200, {
          access_token: `access-${issued}`,
          expires_in: 3600,
          refresh_token: `refresh-${issued}`,
          refresh_token_expires_in: 604800,
          token_type: 'bearer',
          scope: 'ReadMessages',
          session_id: 's',
        });
        return;
      }
      const ok = request.headers.authorization === 'Bearer access-1';
      sendJson(
        response,
        ok ? 200 : 401,
        ok ? { retentionPeriod: 30 } : { errors: [{ errorCode: 'OAU-213', message: 'bad' }] },
      );
    });
    const tokens = createJwtTokenSource({
      server: server.url,
      ...CLIENT,
      jwt: 'the-jwt',
      session: {
        accessToken: 'expired',
        expiresAt: Date.now() - 1_000,
        refreshToken: 'refresh-0',
        refreshTokenExpiresAt: Date.now() + 3_600_000,
      },
    });
    const rc = createRingCentral({
      server: server.url,
      tokenSource: tokens,
      // A budget large enough that pacing plays no part in what this test counts.
      limits: { groups: { Light: { limit: 1_000, windowMs: 60_000 } } },
    });

    // Act
    const results = await Promise.all(Array.from({ length: 50 }, () => rc.configuration.get()));

    // Assess
    const tokenRequests = server.requests.filter(
      (request) => request.path === '/restapi/oauth/token',
    );
    expect(tokenRequests).toHaveLength(1);
    const form = new URLSearchParams(tokenRequests[0]!.body.toString());
    expect(form.get('grant_type')).toBe('refresh_token');
    expect(form.get('refresh_token')).toBe('refresh-0');
    expect(tokenRequests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('client-id:client-secret').toString('base64')}`,
    );
    expect(tokenRequests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(results.every((result) => result.retentionPeriod === 30)).toBe(true);
    expect(tokens.session()?.refreshToken).toBe('refresh-1');
  });

  it('logs in with the JWT grant when there is no session, and revokes the session', async () => {
    // Prepare
    server = await startServer((request, response) => {
      if (request.path === '/restapi/oauth/revoke') {
        response.writeHead(200);
        response.end();
        return;
      }
      sendJson(response, 200, {
        access_token: 'a',
        expires_in: 3600,
        refresh_token: 'r',
        token_type: 'bearer',
        scope: '',
        session_id: 's',
      });
    });
    // The test server sends no rate-limit headers: state a budget that does not pace two calls.
    const limits = { groups: { Auth: { limit: 100, windowMs: 60_000 } } };
    const tokens = createJwtTokenSource({ server: server.url, ...CLIENT, jwt: 'the-jwt', limits });
    const rc = createRingCentral({ server: server.url, tokenSource: tokens, limits });

    // Act
    const token = await tokens.getToken();
    await rc.auth.revoke();

    // Assess
    expect(token.accessToken).toBe('a');
    const login = new URLSearchParams(server.requests[0]!.body.toString());
    expect(login.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(login.get('assertion')).toBe('the-jwt');
    expect(server.requests[1]!.path).toBe('/restapi/oauth/revoke');
    expect(new URLSearchParams(server.requests[1]!.body.toString()).get('token')).toBe('r');
    expect(tokens.session()).toBeUndefined();
  });

  it('on a 401 OAU-210 re-reads the token once and retries once', async () => {
    // Prepare
    server = await startServer((request, response) => {
      if (request.headers.authorization === 'Bearer fresh')
        sendJson(response, 200, { retentionPeriod: 7 });
      else
        sendJson(response, 401, { errors: [{ errorCode: 'OAU-210', message: 'Token expired' }] });
    });
    const loaded: string[] = [];
    const tokens = createReloadingTokenSource({
      load: async () => {
        const accessToken = loaded.length === 0 ? 'stale' : 'fresh';
        loaded.push(accessToken);
        return { accessToken, expiresAt: Date.now() + 3_600_000 };
      },
    });
    const rc = createRingCentral({ server: server.url, tokenSource: tokens });

    // Act
    const configuration = await rc.configuration.get();

    // Assess
    expect(configuration.retentionPeriod).toBe(7);
    expect(loaded).toEqual(['stale', 'fresh']);
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([
      'Bearer stale',
      'Bearer fresh',
    ]);
  });

  it('while tokens rotate, waits for a session newer than each rejected one and retries with it', async () => {
    // Prepare: the server accepts only t3; the source still holds each rejected token for one
    // more read (the refresher killed it but has not stored the next one yet).
    server = await startServer((request, response) => {
      if (request.headers.authorization === 'Bearer t3')
        sendJson(response, 200, { retentionPeriod: 3 });
      else
        sendJson(response, 401, { errors: [{ errorCode: 'OAU-213', message: 'Token not found' }] });
    });
    const stored = ['t1', 't1', 't2', 't2', 't3'];
    const reads: string[] = [];
    const invalidated: string[] = [];
    const tokens: TokenSource = {
      getToken: async (options) => {
        const accessToken = stored.length > 1 ? stored.shift()! : stored[0]!;
        reads.push(`${accessToken}${options?.forceRefresh ? ' forced' : ''}`);
        return { accessToken, expiresAt: Date.now() + 3_600_000 };
      },
      invalidate: (token) => {
        invalidated.push(token.accessToken);
      },
    };
    const retries: string[] = [];
    const rc = createRingCentral({
      server: server.url,
      tokenSource: tokens,
      hooks: { onRetry: (info) => retries.push(info.reason) },
    });

    // Act
    const configuration = await rc.configuration.get({ deadline: Date.now() + 60_000 });

    // Assess
    expect(configuration.retentionPeriod).toBe(3);
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([
      'Bearer t1',
      'Bearer t2',
      'Bearer t3',
    ]);
    expect(invalidated).toEqual(['t1', 't2']);
    expect(reads).toEqual(['t1', 't1', 't2 forced', 't2', 't3 forced']);
    expect(retries).toEqual(['auth', 'auth']);
  });

  it('gives up with an AuthError when the re-read token is rejected too and no retry is left', async () => {
    // Prepare
    server = await startServer((_request, response) =>
      sendJson(response, 401, { errors: [{ errorCode: 'OAU-213', message: 'Token not found' }] }),
    );
    let loads = 0;
    const tokens = createReloadingTokenSource({
      load: async () => {
        loads += 1;
        return { accessToken: `t${loads}`, expiresAt: Date.now() + 3_600_000 };
      },
    });
    // Each newer token is tried in turn, up to maxRetries: one here.
    const rc = createRingCentral({
      server: server.url,
      tokenSource: tokens,
      limits: { backoff: { maxRetries: 1 } },
    });

    // Act
    const attempt = rc.configuration.get();

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(AuthError);
    await expect(attempt).rejects.toMatchObject({ status: 401, errorCode: 'OAU-213' });
    expect(server.requests).toHaveLength(2);
    expect(loads).toBe(2);
  });
  it('re-reads a maintained token once it is older than maxAgeMs, even before it expires', async () => {
    // Prepare
    let clock = 0;
    let reads = 0;
    const tokens = createReloadingTokenSource({
      load: async () => {
        reads++;
        return { accessToken: `token-${reads}`, expiresAt: 3_600_000 };
      },
      maxAgeMs: 60_000,
      now: () => clock,
    });

    // Act
    const first = await tokens.getToken();
    clock = 59_999;
    const cached = await tokens.getToken();
    clock = 60_000;
    const reread = await tokens.getToken();

    // Assess
    expect(first.accessToken).toBe('token-1');
    expect(cached.accessToken).toBe('token-1');
    expect(reread.accessToken).toBe('token-2');
    expect(reads).toBe(2);
  });
});
