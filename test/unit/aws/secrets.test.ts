import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Session } from '../../../lib/aws/secrets.ts';
import {
  createSecretsStore,
  createSessionTokenSource,
  SecretFormatError,
  SessionUnavailableError,
} from '../../../lib/aws/secrets.ts';
import { AbortedError } from '../../../lib/ringcentral/index.ts';
import type { FakeSecretsManager } from '../../support/aws-fakes.ts';
import { fakeSecretsManager } from '../../support/aws-fakes.ts';

const credentials = {
  clientId: 'client-id',
  clientSecret: 'client-secret-value',
  jwt: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
  server: 'http://127.0.0.1:8080',
};

function session(accessToken: string, expiresInMs = 3_600_000): Session {
  return {
    accessToken,
    refreshToken: `refresh-${accessToken}`,
    expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
    refreshExpiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
  };
}

describe('createSecretsStore', () => {
  let fake: FakeSecretsManager | undefined;
  afterEach(() => {
    vi.useRealTimers();
    fake?.restore();
    fake = undefined;
  });

  it('reads and validates the credentials, caching them', async () => {
    // Prepare
    fake = fakeSecretsManager({ creds: credentials });
    const store = createSecretsStore({ client: fake.client });

    // Act
    const first = await store.credentials('creds');
    const second = await store.credentials('creds');

    // Assess
    expect(first).toEqual(credentials);
    expect(second).toEqual(credentials);
    expect(fake.getCount('creds')).toBe(1);
  });

  it('names the invalid credential fields, never their values', async () => {
    // Prepare
    fake = fakeSecretsManager({ creds: { ...credentials, server: 'not a url', jwt: '' } });
    const store = createSecretsStore({ client: fake.client });

    // Act
    const failure = await store.credentials('creds').catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(SecretFormatError);
    const message = (failure as Error).message;
    expect(message).toContain('server');
    expect(message).toContain('jwt');
    expect(message).not.toContain('client-secret-value');
    expect(message).not.toContain('not a url');
  });

  it('returns undefined for a session not yet written (missing or placeholder)', async () => {
    // Prepare
    fake = fakeSecretsManager({ placeholder: '{}' });
    const store = createSecretsStore({ client: fake.client });

    // Act
    const missing = await store.session('absent');
    const placeholder = await store.session('placeholder');

    // Assess
    expect(missing).toBeUndefined();
    expect(placeholder).toBeUndefined();
  });

  it('caches the session, shares concurrent reads and bypasses the cache on forceFetch', async () => {
    // Prepare
    fake = fakeSecretsManager({ session: session('token-1') });
    const store = createSecretsStore({ client: fake.client });

    // Act
    const concurrent = await Promise.all(
      Array.from({ length: 20 }, () => store.session('session')),
    );
    const readsAfterConcurrent = fake.getCount('session');
    await store.writeSession('session', session('token-2'));
    const forced = await store.session('session', { forceFetch: true });

    // Assess
    expect(concurrent.every((value) => value?.accessToken === 'token-1')).toBe(true);
    expect(readsAfterConcurrent).toBe(1);
    expect(forced?.accessToken).toBe('token-2');
    expect(fake.getCount('session')).toBe(2);
  });

  it('serves a cached session for at most maxAgeSeconds', async () => {
    // Prepare (the cache ages by Date, faked so that no read is late by the machine being slow)
    vi.useFakeTimers({ toFake: ['Date'] });
    fake = fakeSecretsManager({ session: session('token-1') });
    const store = createSecretsStore({ client: fake.client, maxAgeSeconds: 1 });
    const writer = createSecretsStore({ client: fake.client });
    await store.session('session');
    await writer.writeSession('session', session('token-2'));

    // Act
    const cached = await store.session('session');
    vi.setSystemTime(Date.now() + 1_100);
    const fresh = await store.session('session');

    // Assess
    expect(cached?.accessToken).toBe('token-1');
    expect(fresh?.accessToken).toBe('token-2');
  });

  it('writes a new version of the session secret', async () => {
    // Prepare
    fake = fakeSecretsManager({ session: '{}' });
    const store = createSecretsStore({ client: fake.client });
    const written = session('token-3');

    // Act
    await store.writeSession('session', written);

    // Assess
    expect(fake.putCount('session')).toBe(1);
    expect(fake.versions('session')).toHaveLength(2);
    expect(fake.value('session')).toEqual(written);
  });
});

describe('createSessionTokenSource', () => {
  let fake: FakeSecretsManager | undefined;
  afterEach(() => {
    fake?.restore();
    fake = undefined;
  });

  it('serves the session token and re-reads the secret after invalidate', async () => {
    // Prepare
    fake = fakeSecretsManager({ session: session('token-1') });
    const store = createSecretsStore({ client: fake.client });
    const writer = createSecretsStore({ client: fake.client });
    const source = createSessionTokenSource(store, 'session');
    const first = await source.getToken();
    await writer.writeSession('session', session('token-2'));
    const stillCached = await source.getToken();

    // Act
    await source.invalidate?.(first);
    const afterInvalidate = await source.getToken();

    // Assess
    expect(first.accessToken).toBe('token-1');
    expect(stillCached.accessToken).toBe('token-1');
    expect(afterInvalidate.accessToken).toBe('token-2');
    expect(afterInvalidate.expiresAt).toBeGreaterThan(Date.now());
  });

  it('waits for the refresher to store a new token instead of serving the rejected one', async () => {
    // Prepare
    fake = fakeSecretsManager({ session: session('token-1') });
    const source = createSessionTokenSource(createSecretsStore({ client: fake.client }), 'session');
    const writer = createSecretsStore({ client: fake.client });
    const rejected = await source.getToken();
    // The refresher has killed token-1 but writes token-2 only 150 ms later.
    const written = new Promise<void>((resolve) =>
      setTimeout(() => {
        void writer.writeSession('session', session('token-2')).then(resolve);
      }, 150),
    );
    await source.invalidate?.(rejected);
    const started = Date.now();

    // Act
    const replacement = await source.getToken();

    // Assess
    await written;
    expect(replacement.accessToken).toBe('token-2');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('stops waiting for a new token when the caller aborts', async () => {
    // Prepare
    fake = fakeSecretsManager({ session: session('token-1') });
    const source = createSessionTokenSource(createSecretsStore({ client: fake.client }), 'session');
    await source.invalidate?.(await source.getToken());

    // Act
    const failure = source.getToken({ signal: AbortSignal.timeout(100) });

    // Assess
    await expect(failure).rejects.toBeInstanceOf(AbortedError);
  });

  it('re-reads past the cache when the cached token is about to expire', async () => {
    // Prepare
    fake = fakeSecretsManager({ session: session('token-old', 30_000) });
    const store = createSecretsStore({ client: fake.client });
    const writer = createSecretsStore({ client: fake.client });
    await store.session('session');
    await writer.writeSession('session', session('token-new'));
    const source = createSessionTokenSource(store, 'session');

    // Act
    const token = await source.getToken();

    // Assess
    expect(token.accessToken).toBe('token-new');
  });

  it('fails with SessionUnavailableError before token-refresh has written the session', async () => {
    // Prepare
    fake = fakeSecretsManager({ session: '{}' });
    const source = createSessionTokenSource(createSecretsStore({ client: fake.client }), 'session');

    // Act
    const failure = source.getToken();

    // Assess
    await expect(failure).rejects.toBeInstanceOf(SessionUnavailableError);
  });
});
