/** OAuth token and revoke endpoints (form-encoded, Basic client auth). */
import { RcError } from '../errors.ts';
import { type RequestContext, type Route, sendEmpty, sendJson } from '../http.ts';
import type { EmulatorState } from '../state.ts';

/** The OAuth routes. */
export function authRoutes(state: EmulatorState): Route[] {
  // Both are form POSTs with Basic client authentication, counted in the Auth group.
  const route = (path: string, handle: Route['handle']): Route => ({
    method: 'POST',
    path,
    group: 'Auth',
    auth: 'client',
    hosts: ['platform'],
    handle,
  });
  return [
    route('/restapi/oauth/token', async (context) => {
      const form = await formBody(context);
      const { grantType, response } = state.oauth.grant(form, context.req.headers.authorization);
      state.stats.oauthRequests[grantType] += 1;
      sendJson(context, 200, response, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    }),
    route('/restapi/oauth/revoke', async (context) => {
      const form = await formBody(context);
      state.oauth.revoke(
        form,
        context.req.headers.authorization,
        context.query.get('token') ?? undefined,
      );
      state.stats.oauthRequests.revoke += 1;
      sendEmpty(context, 200);
    }),
  ];
}

async function formBody(context: RequestContext): Promise<URLSearchParams> {
  const type = context.req.headers['content-type'] ?? '';
  const body = await context.body();
  if (body.length > 0 && !type.startsWith('application/x-www-form-urlencoded')) {
    throw new RcError(
      415,
      'OAU-100',
      'Unsupported media type: use application/x-www-form-urlencoded',
      {
        oauthError: 'invalid_request',
      },
    );
  }
  return new URLSearchParams(body.toString('utf8'));
}
