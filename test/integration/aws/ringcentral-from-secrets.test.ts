import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRingCentralFromSecrets } from '../../../lib/aws/ringcentral.ts';
import type { Session } from '../../../lib/aws/secrets.ts';
import { createSecretsStore } from '../../../lib/aws/secrets.ts';
import type { OAuthClient, OAuthSession } from '../../../lib/ringcentral/index.ts';
import { createOAuthClient } from '../../../lib/ringcentral/index.ts';
import type { RunningEmulator } from '../../../local/ringcentral/index.ts';
import { startEmulator } from '../../../local/ringcentral/index.ts';
import type { FakeSecretsManager } from '../../support/aws-fakes.ts';
import { fakeSecretsManager } from '../../support/aws-fakes.ts';

function asSession(oauth: OAuthSession): Session {
  return {
    accessToken: oauth.accessToken,
    refreshToken: oauth.refreshToken ?? '',
    expiresAt: new Date(oauth.expiresAt).toISOString(),
    refreshExpiresAt: new Date(oauth.refreshTokenExpiresAt ?? oauth.expiresAt).toISOString(),
  };
}

describe('createRingCentralFromSecrets against the local RingCentral', () => {
  let emulator: RunningEmulator;
  let secrets: FakeSecretsManager;
  let oauth: OAuthClient;

  beforeAll(async () => {
    emulator = await startEmulator({ rateLimits: { windowScale: 0.05 } });
    oauth = createOAuthClient({
      server: emulator.url,
      clientId: emulator.credentials.clientId,
      clientSecret: emulator.credentials.clientSecret,
    });
    const login = await oauth.jwtGrant(emulator.credentials.jwt);
    secrets = fakeSecretsManager({
      credentials: {
        ...emulator.credentials,
        server: emulator.url,
        mediaServer: emulator.mediaUrl,
      },
      session: asSession(login),
    });
  });
  afterAll(async () => {
    secrets.restore();
    await emulator.stop();
  });

  it('sends with the session token and, after a refresh elsewhere, re-reads it on the 401', async () => {
    // Prepare
    const retries: string[] = [];
    const ringCentral = await createRingCentralFromSecrets({
      store: createSecretsStore({ client: secrets.client }),
      credentialsSecretId: 'credentials',
      sessionSecretId: 'session',
      hooks: { onRetry: (info) => retries.push(info.reason) },
    });
    const request = { from: '+16505550101', to: ['+14155550100'] as [string], text: 'hello' };
    const first = await ringCentral.sms.send(request);
    // The refresher (another store, as in another function) rotates the tokens: the old
    // access token dies at once.
    const current = secrets.value('session') as Session;
    const refreshed = await oauth.refreshGrant(current.refreshToken);
    await createSecretsStore({ client: secrets.client }).writeSession(
      'session',
      asSession(refreshed),
    );
    const oauthBefore = emulator.stats().oauthRequests;

    // Act
    const second = await ringCentral.sms.send({ ...request, text: 'again' });

    // Assess
    expect(first.id).toMatch(/^\d+$/);
    expect(second.id).toMatch(/^\d+$/);
    expect(second.id).not.toBe(first.id);
    expect(emulator.stats().sent.sms).toBe(2);
    expect(emulator.stats().oauthRequests).toEqual(oauthBefore);
    expect(retries).toEqual(['auth']);
  });

  it('never lets a 401 reach a caller while tokens rotate under concurrent sends', async () => {
    // Prepare: three warm containers, each with its own secrets cache and client.
    const containers = await Promise.all(
      Array.from({ length: 3 }, () =>
        createRingCentralFromSecrets({
          store: createSecretsStore({ client: secrets.client }),
          credentialsSecretId: 'credentials',
          sessionSecretId: 'session',
        }),
      ),
    );
    const writer = createSecretsStore({ client: secrets.client });
    const sentBefore = emulator.stats().sent.sms;
    const oauthBefore = emulator.stats().oauthRequests;
    const failures: unknown[] = [];
    const sendAll = (round: number) =>
      Array.from({ length: 9 }, (_, index) =>
        containers[index % 3]!.sms.send({
          from: '+16505550101',
          to: ['+14155550100'],
          text: `round ${round} message ${index}`,
        }).catch((error: unknown) => {
          failures.push(error);
        }),
      );
    // The refresher kills the old token at once but writes the secret a little later.
    const rotate = async () => {
      const current = secrets.value('session') as Session;
      const refreshed = await oauth.refreshGrant(current.refreshToken);
      await new Promise((resolve) => setTimeout(resolve, 40));
      await writer.writeSession('session', asSession(refreshed));
    };

    // Act
    for (let round = 0; round < 3; round += 1) {
      await Promise.all([rotate(), ...sendAll(round)]);
    }

    // Assess
    expect(failures).toEqual([]);
    expect(emulator.stats().sent.sms - sentBefore).toBe(27);
    const oauthAfter = emulator.stats().oauthRequests;
    expect(oauthAfter.jwt).toBe(oauthBefore.jwt);
    expect(oauthAfter.refresh - oauthBefore.refresh).toBe(3);
  });
});
