/**
 * The token source of every function but token-refresh, aware of rotation. A refresh kills the
 * old access token at RingCentral a moment before the refresher has written the new one to the
 * session secret; a function whose request is refused in that moment and re-reads at once gets
 * the dead token again, and its retry fails too. So after a rejection this source re-reads until
 * the secret holds a different token, waiting briefly between reads, within a bound.
 */
import type { AccessToken, TokenSource } from '../ringcentral/index.ts';
import { AbortedError, AuthError } from '../ringcentral/index.ts';

/** The stored session as far as a reader needs it. */
export interface SessionSnapshot {
  accessToken: string;
  /** ISO time. */
  expiresAt: string;
}

/** The session secret is empty (token-refresh has not run yet) or still holds a rejected token. */
export class SessionNotReadyError extends AuthError {
  override name = 'SessionNotReadyError';
}

/** Options of {@link createRotationAwareTokenSource}. */
export interface RotationAwareTokenSourceOptions {
  /** Reads the session secret; `forceFetch` bypasses every cache. */
  read(options: { forceFetch: boolean }): Promise<SessionSnapshot | undefined>;
  /** Re-read this long before expiry; default 60 s. */
  marginMs?: number;
  /** How long to wait for the refresher to store a new token after a rejection; default 3 s. */
  rotationWaitMs?: number;
  /**
   * Re-read the secret when the token in hand was read longer ago than this; default 60 s.
   * Without it an idle container would wake up holding a token two rotations old, and its
   * single retry could land on the token the refresher is replacing at that very moment.
   */
  maxAgeMs?: number;
  /** Clock for expiry and age (epoch ms); default `Date.now`. */
  now?: () => number;
}

/** Pauses between re-reads after a rejection: short first, the refresher is usually quick. */
const REREAD_DELAYS_MS = [25, 50, 100, 200, 400, 800];

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError('Waiting for a new session was aborted', { cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError('Waiting for a new session was aborted', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A token source over the session secret: cached until near expiry; after `invalidate` it never
 * hands out the rejected token again, re-reading (bypassing caches) until a new one is stored.
 * Concurrent callers share one read; a read started before a rejection is not reused after it.
 */
export function createRotationAwareTokenSource(
  options: RotationAwareTokenSourceOptions,
): TokenSource {
  const now = options.now ?? Date.now;
  const marginMs = options.marginMs ?? 60_000;
  const rotationWaitMs = options.rotationWaitMs ?? 3_000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  let readAt = 0;
  // A few recent rejections suffice: tokens rotate every half hour.
  const rejected: string[] = [];
  let current: AccessToken | undefined;
  let pending: { generation: number; promise: Promise<AccessToken> } | undefined;
  let generation = 0;

  const usable = (token: AccessToken | undefined): token is AccessToken =>
    token !== undefined &&
    !rejected.includes(token.accessToken) &&
    token.expiresAt - marginMs > now() &&
    now() - readAt < maxAgeMs;

  const load = async (signal?: AbortSignal): Promise<AccessToken> => {
    // Real elapsed time, not `now()`: a test's simulated clock must not stretch the wait.
    const started = performance.now();
    for (let attempt = 0; ; attempt += 1) {
      const snapshot = await options.read({ forceFetch: true });
      if (!snapshot) {
        throw new SessionNotReadyError(
          'The session secret holds no session yet; token-refresh must run first',
        );
      }
      if (!rejected.includes(snapshot.accessToken)) {
        // A token near (or past) its expiry is still returned: the refresher may just be late.
        return { accessToken: snapshot.accessToken, expiresAt: Date.parse(snapshot.expiresAt) };
      }
      const delay = REREAD_DELAYS_MS[Math.min(attempt, REREAD_DELAYS_MS.length - 1)] ?? 800;
      if (performance.now() - started + delay > rotationWaitMs) {
        throw new SessionNotReadyError(
          'The session secret still holds a token RingCentral rejected; is token-refresh running?',
        );
      }
      await pause(delay, signal);
    }
  };

  return {
    getToken: async (getOptions) => {
      if (!getOptions?.forceRefresh && usable(current)) return current;
      if (pending?.generation !== generation) {
        const mine = generation;
        // This source is the cache (bounded by maxAgeMs): every read it makes goes to the secret.
        const promise = load(getOptions?.signal)
          .then((token) => {
            if (mine === generation) {
              current = token;
              readAt = now();
            }
            return token;
          })
          .finally(() => {
            if (pending?.promise === promise) pending = undefined;
          });
        pending = { generation: mine, promise };
      }
      return pending.promise;
    },
    invalidate: (token) => {
      if (current?.accessToken === token.accessToken) current = undefined;
      // Reads started after the first rejection of this token already refuse it: no new read.
      if (rejected.includes(token.accessToken)) return;
      rejected.push(token.accessToken);
      if (rejected.length > 8) rejected.shift();
      generation += 1;
    },
  };
}
