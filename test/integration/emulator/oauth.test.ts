import { describe, expect, it } from 'vitest';
import { type Harness, harnessPerTest, login, tokenRequest } from './harness.ts';

describe('local RingCentral OAuth', () => {
  let harness: Harness;
  const start = harnessPerTest();

  it('issues tokens for the JWT grant and accepts the access token as the JWT user', async () => {
    // Prepare
    harness = await start();
    const { emulator } = harness;

    // Act
    const token = await login(emulator);
    const list = await fetch(harness.ext('/message-store'), {
      headers: { authorization: `Bearer ${token.access_token}` },
    });

    // Assess
    expect(token.token_type).toBe('bearer');
    expect(token.owner_id).toBe(emulator.mailbox.extensions[0]?.id);
    expect(Number(token.expires_in)).toBe(3600);
    expect(list.status).toBe(200);
    expect(emulator.stats().oauthRequests.jwt).toBe(2);
  });

  it('refuses a wrong client secret and a wrong JWT with OAuth errors', async () => {
    // Prepare
    harness = await start();
    const { emulator } = harness;
    const wrongClient = `Basic ${Buffer.from(`${emulator.credentials.clientId}:nope`).toString('base64')}`;

    // Act
    const badClient = await tokenRequest(
      emulator,
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: emulator.credentials.jwt,
      },
      wrongClient,
    );
    const badJwt = await tokenRequest(emulator, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: 'not-the-jwt',
    });

    // Assess
    expect(badClient.status).toBe(400);
    expect(await badClient.json()).toMatchObject({
      error: 'invalid_client',
      errors: [{ errorCode: 'OAU-123' }],
    });
    expect(badJwt.status).toBe(400);
    expect(await badJwt.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('makes refresh tokens single-use with a short grace, and kills the old access token', async () => {
    // Prepare
    let clock = Date.now();
    harness = await start({ refreshGraceMs: 150, now: () => clock });
    const { emulator } = harness;
    const first = await login(emulator);

    // Act
    const refreshed = await tokenRequest(emulator, {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token ?? '',
    });
    const refreshedBody = (await refreshed.json()) as Record<string, string>;
    const duplicate = await tokenRequest(emulator, {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token ?? '',
    });
    const duplicateBody = (await duplicate.json()) as Record<string, string>;
    clock += 200;
    const late = await tokenRequest(emulator, {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token ?? '',
    });
    const oldAccess = await fetch(harness.ext('/message-store'), {
      headers: { authorization: `Bearer ${first.access_token}` },
    });
    const newAccess = await fetch(harness.ext('/message-store'), {
      headers: { authorization: `Bearer ${refreshedBody.access_token}` },
    });

    // Assess
    expect(refreshed.status).toBe(200);
    expect(refreshedBody.refresh_token).not.toBe(first.refresh_token);
    expect(duplicate.status).toBe(200);
    expect(duplicateBody.access_token).toBe(refreshedBody.access_token);
    expect(late.status).toBe(400);
    expect(await late.json()).toMatchObject({
      error: 'invalid_grant',
      errors: [{ errorCode: 'OAU-213' }],
    });
    expect(oldAccess.status).toBe(401);
    expect(await oldAccess.json()).toMatchObject({ errors: [{ errorCode: 'OAU-213' }] });
    expect(newAccess.status).toBe(200);
  });

  it('expires access tokens after their TTL with OAU-210', async () => {
    // Prepare
    let clock = Date.now();
    harness = await start({ accessTokenTtlSeconds: 1, now: () => clock });
    const token = await login(harness.emulator);
    clock += 1_000;

    // Act
    const response = await fetch(harness.ext('/message-store'), {
      headers: { authorization: `Bearer ${token.access_token}` },
    });

    // Assess
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ errors: [{ errorCode: 'OAU-210' }] });
  });

  it('caps parallel sessions per user and app by ending the oldest session', async () => {
    // Prepare
    harness = await start({ maxSessions: 2 });
    const { emulator } = harness;
    const oldest = await login(emulator);
    const middle = await login(emulator);

    // Act
    const newest = await login(emulator);
    const statuses = await Promise.all(
      [oldest, middle, newest].map(async (token) => {
        const response = await fetch(harness.ext('/message-store'), {
          headers: { authorization: `Bearer ${token.access_token}` },
        });
        return response.status;
      }),
    );

    // Assess (the harness's own login was the very first session and is gone too)
    expect(statuses).toEqual([401, 200, 200]);
  });

  it('revokes a session by its access or refresh token', async () => {
    // Prepare
    harness = await start();
    const { emulator } = harness;
    const token = await login(emulator);
    const basic = `Basic ${Buffer.from(`${emulator.credentials.clientId}:${emulator.credentials.clientSecret}`).toString('base64')}`;

    // Act
    const revoke = await fetch(`${emulator.url}/restapi/oauth/revoke`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: token.refresh_token ?? '' }),
    });
    const afterRevoke = await fetch(harness.ext('/message-store'), {
      headers: { authorization: `Bearer ${token.access_token}` },
    });
    const refresh = await tokenRequest(emulator, {
      grant_type: 'refresh_token',
      refresh_token: token.refresh_token ?? '',
    });

    // Assess
    expect(revoke.status).toBe(200);
    expect(afterRevoke.status).toBe(401);
    expect(refresh.status).toBe(400);
    expect(emulator.stats().oauthRequests.revoke).toBe(1);
  });

  it('answers requests without a token with 401', async () => {
    // Prepare
    harness = await start();

    // Act
    const response = await fetch(harness.ext('/message-store'));

    // Assess
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ errors: [{ errorCode: 'OAU-213' }] });
  });
});
