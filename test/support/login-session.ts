import type { Session } from '../../lib/aws/secrets.ts';
import { createOAuthClient } from '../../lib/ringcentral/index.ts';
import type { EmulatorCredentials } from '../../local/ringcentral/oauth.ts';

/** Where a RingCentral answers and the app's credentials (a running local RingCentral has both). */
export interface LoginTarget {
  url: string;
  credentials: EmulatorCredentials;
}

/**
 * Logs in once with the JWT grant, as token-refresh would, and shapes the result as the session
 * secret the functions read.
 */
export async function loginSession(target: LoginTarget): Promise<Session> {
  const session = await createOAuthClient({
    server: target.url,
    clientId: target.credentials.clientId,
    clientSecret: target.credentials.clientSecret,
  }).jwtGrant(target.credentials.jwt);
  return {
    accessToken: session.accessToken,
    refreshToken: session.refreshToken ?? '',
    expiresAt: new Date(session.expiresAt).toISOString(),
    refreshExpiresAt: new Date(session.refreshTokenExpiresAt ?? session.expiresAt).toISOString(),
  };
}
