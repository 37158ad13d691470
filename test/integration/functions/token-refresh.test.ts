import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credentials, SecretsStore, Session } from '../../../lib/aws/secrets.ts';
import { createSessionTokenSource } from '../../../lib/aws/secrets.ts';
import { createRingCentral } from '../../../lib/ringcentral/index.ts';
import { CREDENTIALS_PLACEHOLDER } from '../../../lib/session/deploy-request.ts';
import { lambdaContext, scheduledEvent } from '../../support/events.ts';
import {
  baseEnvironment,
  type EventsHarness,
  importWithEnvironment,
  SECRET_IDS,
  startEventsHarness,
} from './events-harness.ts';
import { refreshDependencies } from './token-refresh-harness.ts';

type Module = typeof import('../../../functions/token-refresh.ts');
const MINUTE = 60_000;

let harness: EventsHarness;
let module: Module;

beforeAll(async () => {
  harness = await startEventsHarness();
  module = await importWithEnvironment(
    () => import('../../../functions/token-refresh.ts'),
    baseEnvironment(harness),
  );
});

afterAll(async () => {
  await harness?.stop();
});

/** A handler whose clock runs `offsetMs` ahead of real time. */
function refresher(offsetMs = 0) {
  return module.createHandler(refreshDependencies(harness, { now: () => Date.now() + offsetMs }));
}

const storedSession = () => harness.secrets.value(SECRET_IDS.session) as Session;

describe('token-refresh', () => {
  it('logs in with the JWT on its first scheduled run and stores a working session', async () => {
    // Prepare
    const before = harness.emulator.stats().oauthRequests;

    // Act
    const outcome = await refresher()(scheduledEvent(), lambdaContext());

    // Assess
    const after = harness.emulator.stats().oauthRequests;
    expect(outcome.action).toBe('logged-in');
    expect(after.jwt - before.jwt).toBe(1);
    const client = createRingCentral({
      server: harness.emulator.url,
      tokenSource: createSessionTokenSource(harness.store, SECRET_IDS.session),
    });
    await expect(client.subscriptions.list()).resolves.toBeInstanceOf(Array);
  });

  it('does nothing while the token lasts past the next run', async () => {
    // Prepare
    const before = harness.emulator.stats().oauthRequests;
    const versions = harness.secrets.putCount(SECRET_IDS.session);

    // Act
    const outcome = await refresher()(scheduledEvent(), lambdaContext());

    // Assess
    expect(outcome.action).toBe('none');
    expect(harness.emulator.stats().oauthRequests).toEqual(before);
    expect(harness.secrets.putCount(SECRET_IDS.session)).toBe(versions);
  });

  it('refreshes with the refresh token when the token would run low, writing a new version', async () => {
    // Prepare: 20 minutes later the 60-minute token has 40 left, under 30 + 15.
    const before = harness.emulator.stats().oauthRequests;
    const old = storedSession();

    // Act
    const outcome = await refresher(20 * MINUTE)(scheduledEvent(), lambdaContext());

    // Assess
    const after = harness.emulator.stats().oauthRequests;
    expect(outcome.action).toBe('refreshed');
    expect([after.refresh - before.refresh, after.jwt - before.jwt]).toEqual([1, 0]);
    expect(storedSession().accessToken).not.toBe(old.accessToken);
    expect(harness.secrets.versions(SECRET_IDS.session).length).toBeGreaterThanOrEqual(3);
  });

  it('logs in with the JWT when the stored refresh token is dead', async () => {
    // Prepare: a refresh token RingCentral does not know (used elsewhere, revoked).
    await harness.store.writeSession(SECRET_IDS.session, {
      ...storedSession(),
      refreshToken: 'dead-refresh-token',
      expiresAt: new Date(Date.now() + 5 * MINUTE).toISOString(),
    });
    const before = harness.emulator.stats();

    // Act
    const outcome = await refresher()(scheduledEvent(), lambdaContext());

    // Assess: two Auth requests, the refused refresh and the login.
    const after = harness.emulator.stats();
    expect(outcome).toMatchObject({ action: 'logged-in', refreshFailed: true });
    expect(after.requestsByGroup.Auth - before.requestsByGroup.Auth).toBe(2);
    expect(after.oauthRequests.jwt - before.oauthRequests.jwt).toBe(1);
    expect(storedSession().refreshToken).not.toBe('dead-refresh-token');
  });

  it('refreshes once when five runs overlap, the others skipping or finding it done', async () => {
    // Prepare
    const before = harness.emulator.stats().oauthRequests;
    const runs = Array.from({ length: 5 }, () => refresher(20 * MINUTE));

    // Act
    const outcomes = await Promise.all(runs.map((run) => run(scheduledEvent(), lambdaContext())));

    // Assess
    const after = harness.emulator.stats().oauthRequests;
    expect(after.refresh + after.jwt - before.refresh - before.jwt).toBe(1);
    expect(outcomes.filter((outcome) => outcome.action === 'refreshed')).toHaveLength(1);
    expect(
      outcomes.every((outcome) => ['refreshed', 'skipped', 'none'].includes(outcome.action)),
    ).toBe(true);
  });

  it('refreshes a lasting token when the deploy trigger forces it', async () => {
    // Prepare
    const before = harness.emulator.stats().oauthRequests;

    // Act
    const outcome = await refresher()({ force: true }, lambdaContext());

    // Assess
    expect(outcome.action).toBe('refreshed');
    expect(harness.emulator.stats().oauthRequests.refresh - before.refresh).toBe(1);
  });

  it('fails the invocation on an event that is not an object', async () => {
    // Prepare
    const event = 'not an event';

    // Act
    const attempt = refresher()(event, lambdaContext());

    // Assess
    await expect(attempt).rejects.toThrow(/Invalid event/);
  });
});

/** A CloudFormation custom-resource request as CDK's provider framework passes it on. */
function deployRequest(requestType: 'Create' | 'Update' | 'Delete') {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:framework-onEvent',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Test/1',
    RequestId: 'request-1',
    LogicalResourceId: 'RefreshTokenAtDeploy',
    ResourceType: 'Custom::TokenRefreshAtDeploy',
    ResourceProperties: { ServiceToken: 'x', deployId: '2026-12-06T12:00:00.000Z' },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'token-refresh-at-deploy' }),
  };
}

/** token-refresh reading credentials changed by `change` (the same session and lease). */
function refresherWithCredentials(change: (credentials: Credentials) => Credentials) {
  const store: SecretsStore = {
    credentials: async (id) => change(await harness.store.credentials(id)),
    session: (id, options) => harness.store.session(id, options),
    writeSession: (id, session) => harness.store.writeSession(id, session),
  };
  return module.createHandler(refreshDependencies(harness, { store }));
}

describe('token-refresh at deploy (CloudFormation requests through the provider framework)', () => {
  it('forces a refresh on an Update and answers with the fixed physical id', async () => {
    // Prepare
    const before = harness.emulator.stats().oauthRequests;

    // Act
    const response = await refresher()(deployRequest('Update'), lambdaContext());

    // Assess
    expect(response).toMatchObject({
      PhysicalResourceId: 'token-refresh-at-deploy',
      Data: { action: 'refreshed' },
    });
    expect(harness.emulator.stats().oauthRequests.refresh - before.refresh).toBe(1);
  });

  it('does nothing on a Delete, so removing the stack never depends on RingCentral', async () => {
    // Prepare
    const before = harness.emulator.stats().oauthRequests;

    // Act
    const response = await refresher()(deployRequest('Delete'), lambdaContext());

    // Assess
    expect(response).toMatchObject({ Data: { action: 'none' } });
    expect(harness.emulator.stats().oauthRequests).toEqual(before);
  });

  it('lets the first deploy pass while the created credentials secret is still the template', async () => {
    // Prepare
    const before = harness.emulator.stats().oauthRequests;
    const run = refresherWithCredentials((credentials) => ({
      ...credentials,
      clientId: CREDENTIALS_PLACEHOLDER,
      jwt: CREDENTIALS_PLACEHOLDER,
    }));

    // Act
    const response = await run(deployRequest('Create'), lambdaContext());

    // Assess
    expect(response).toMatchObject({ Data: { action: 'credentials-not-set' } });
    expect(harness.emulator.stats().oauthRequests).toEqual(before);
  });

  it("fails the request with RingCentral's error when no session can be had", async () => {
    // Prepare: a dead refresh token and a JWT RingCentral refuses.
    await harness.store.writeSession(SECRET_IDS.session, {
      ...storedSession(),
      refreshToken: 'dead-refresh-token',
    });
    const run = refresherWithCredentials((credentials) => ({
      ...credentials,
      jwt: 'revoked.jwt.value',
    }));

    // Act
    const attempt = run(deployRequest('Update'), lambdaContext());

    // Assess: the provider framework puts this message into the deploy's failure reason.
    await expect(attempt).rejects.toThrow(/invalid_grant|JWT/i);
  });
});
