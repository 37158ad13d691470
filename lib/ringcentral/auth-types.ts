import type { CallOptions } from './deadline.ts';

/** A bearer token and when it stops working. */
export interface AccessToken {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/**
 * Where the client gets its bearer token. Deployed functions read the token a single refresher
 * maintains (DESIGN invariant 5); the refresher itself uses the JWT source.
 */
export interface TokenSource {
  /** A currently valid token; may refresh. Concurrent callers share one refresh. */
  getToken(options?: { signal?: AbortSignal; forceRefresh?: boolean }): Promise<AccessToken>;
  /** Called when the server rejected `token` (401 OAU-210/213); the next getToken must not return it. */
  invalidate?(token: AccessToken): void | Promise<void>;
  /** Ends the session at RingCentral, when the source owns one. */
  revoke?(options?: CallOptions): Promise<void>;
}
