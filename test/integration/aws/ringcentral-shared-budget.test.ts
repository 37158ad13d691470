import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRingCentralFromSecrets, rateBudgetUser } from '../../../lib/aws/ringcentral.ts';
import { createSecretsStore } from '../../../lib/aws/secrets.ts';
import { rateBudgetKey } from '../../../lib/aws/shared-rate-budget.ts';
import { createOAuthClient } from '../../../lib/ringcentral/index.ts';
import type { RunningEmulator } from '../../../local/ringcentral/index.ts';
import { startEmulator } from '../../../local/ringcentral/index.ts';
import type { FakeSecretsManager } from '../../support/aws-fakes.ts';
import { fakeSecretsManager } from '../../support/aws-fakes.ts';
import type { LocalDynamo } from '../../support/dynalite.ts';
import { startDynalite } from '../../support/dynalite.ts';

// RingCentral's 60 s windows become 1.5 s.
const WINDOW_SCALE = 0.025;

describe('function clients sharing the rate budget in the state table', () => {
  let emulator: RunningEmulator;
  let dynamo: LocalDynamo;
  let tableName: string;
  let secrets: FakeSecretsManager;

  beforeAll(async () => {
    [emulator, dynamo] = await Promise.all([
      startEmulator({ rateLimits: { windowScale: WINDOW_SCALE } }),
      startDynalite(),
    ]);
    tableName = await dynamo.createStateTable();
    const oauth = createOAuthClient({
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
      session: {
        accessToken: login.accessToken,
        refreshToken: login.refreshToken ?? '',
        expiresAt: new Date(login.expiresAt).toISOString(),
        refreshExpiresAt: new Date(login.refreshTokenExpiresAt ?? login.expiresAt).toISOString(),
      },
    });
  });
  afterAll(async () => {
    secrets.restore();
    await Promise.all([emulator.stop(), dynamo.stop()]);
  });

  it('keeps three containers sending as one user under the Medium limit: no 429', async () => {
    // Prepare: three containers, each with its own client; 50 SMS where a window allows 40
    const windowMs = 60_000 * WINDOW_SCALE;
    const containers = await Promise.all(
      [1, 2, 3].map(() =>
        createRingCentralFromSecrets({
          store: createSecretsStore({ client: secrets.client }),
          credentialsSecretId: 'credentials',
          sessionSecretId: 'session',
          limits: { groups: { Medium: { limit: 40, windowMs } } },
          sharedRateBudget: { tableName, client: dynamo.client },
        }),
      ),
    );
    const sms = { from: '+16505550101', to: ['+14155550100'] as [string], text: 'hello' };
    const sentBefore = emulator.stats().sent.sms;
    const refusedBefore = emulator.stats().tooManyRequestsByGroup.Medium;

    // Act
    const sent = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        containers[index % containers.length]?.sms.send({ ...sms, text: `n${index}` }),
      ),
    );

    // Assess
    const stats = emulator.stats();
    const key = rateBudgetKey({ user: rateBudgetUser(emulator.credentials), group: 'Medium' });
    const documents = DynamoDBDocumentClient.from(dynamo.client);
    const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: key }));
    expect(sent.every((message) => /^\d+$/.test(message?.id ?? ''))).toBe(true);
    expect(stats.sent.sms - sentBefore).toBe(50);
    expect(stats.tooManyRequestsByGroup.Medium - refusedBefore).toBe(0);
    expect(Item?.limit).toBe(40);
    expect(Item?.windowMs).toBe(windowMs);
  });
});
