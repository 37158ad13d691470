import type { Options as KyOptions } from 'ky';
import type { AccessToken } from './auth-types.ts';
import type { QueryValue, RequestInfo, RequestSpec } from './client.ts';
import { RingCentralError } from './errors.ts';

/** The two hosts a request may go to, without trailing slashes. */
export interface Endpoints {
  platform: string;
  media: string;
}

/** One attempt's request in ky's terms. */
export interface BuiltRequest {
  /** ky's input: a path (joined to `options.prefix` by ky) or an absolute URL. */
  input: string;
  options: KyOptions;
}

/** What an attempt authenticates with. */
export interface Credentials {
  token?: AccessToken;
  clientCredentials?: { clientId: string; clientSecret: string };
}

const ABSOLUTE = /^https?:\/\//i;

/** Trims the trailing slashes a configured server URL may carry. */
export function endpointsOf(server: string, mediaServer?: string): Endpoints {
  return {
    platform: server.replace(/\/+$/, ''),
    media: (mediaServer ?? server).replace(/\/+$/, ''),
  };
}

/**
 * The absolute URL of a spec without its query: what RequestInfo and errors carry. ky joins the
 * same prefix and path itself (`prefix`), so this only names the request.
 */
export function bareUrlOf(spec: RequestSpec, endpoints: Endpoints): string {
  const href = new URL(joinedUrlOf(spec, endpoints)).toString();
  return href.split('?')[0] ?? href;
}

/**
 * The URL a spec without query parameters is sent to, joined as ky joins its `prefix` and
 * input: the prefix without trailing slashes, one slash, the path without leading ones.
 */
export function joinedUrlOf(spec: RequestSpec, endpoints: Endpoints): string {
  const prefix = prefixOf(spec, endpoints);
  return prefix === undefined ? spec.path : `${prefix}/${spec.path.replace(/^\/+/, '')}`;
}

/** ky's `prefix` for a path on one of our hosts; none for an absolute URL (a record's uri). */
export function prefixOf(spec: RequestSpec, endpoints: Endpoints): string | undefined {
  if (ABSOLUTE.test(spec.path)) return undefined;
  return spec.host === 'media' ? endpoints.media : endpoints.platform;
}

/**
 * Query values as ky's `searchParams` pairs: an array repeats its parameter (`style: form,
 * explode: true`), undefined values are left out. Undefined when there is nothing to add.
 */
export function searchParamsOf(
  query: Record<string, QueryValue> | undefined,
): Array<[string, string]> | undefined {
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) pairs.push([key, item]);
    else pairs.push([key, String(value)]);
  }
  return pairs.length === 0 ? undefined : pairs;
}

/** The Authorization header of a spec, or a RingCentralError when its credentials are missing. */
export function authorizationOf(spec: RequestSpec, credentials: Credentials): string | undefined {
  const auth = spec.auth ?? 'bearer';
  if (auth === 'bearer') {
    if (!credentials.token) throw new RingCentralError('No token source configured');
    return `Bearer ${credentials.token.accessToken}`;
  }
  if (auth === 'basic') {
    const client = credentials.clientCredentials;
    if (!client) {
      throw new RingCentralError('No client credentials configured for the OAuth endpoint');
    }
    return `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
  }
  return undefined;
}

/**
 * The body in ky's terms. JSON goes through ky's `json` option (serialised by the instance's
 * `stringifyJson`, which keeps exact ids); a form is sent as a string with an explicit content
 * type, because the platform expects exactly `application/x-www-form-urlencoded`; a raw body is
 * created afresh for this attempt (ky sets `duplex: 'half'` for streams).
 */
export function bodyOf(
  body: RequestSpec['body'],
): Pick<KyOptions, 'json' | 'body'> & { contentType?: string } {
  if (body?.kind === 'json') return { json: body.value };
  if (body?.kind === 'form') {
    return {
      body: new URLSearchParams(body.value).toString(),
      contentType: 'application/x-www-form-urlencoded',
    };
  }
  if (body?.kind === 'raw') return { body: body.create(), contentType: body.contentType };
  return {};
}

/**
 * Builds one attempt's request: a fresh body, the current credentials, and the RequestInfo that
 * ky's beforeRequest hook hands to `onRequest` (through ky's `context`).
 */
export function buildRequest(
  spec: RequestSpec,
  endpoints: Endpoints,
  credentials: Credentials,
  info: RequestInfo,
): BuiltRequest {
  const authorization = authorizationOf(spec, credentials);
  const { contentType, ...body } = bodyOf(spec.body);
  const headers: Record<string, string> = { ...spec.headers };
  headers.accept = spec.accept ?? 'application/json';
  if (authorization) headers.authorization = authorization;
  if (contentType) headers['content-type'] = contentType;
  const prefix = prefixOf(spec, endpoints);
  const searchParams = searchParamsOf(spec.query);
  return {
    input: spec.path,
    options: {
      method: spec.method,
      headers,
      ...body,
      ...(prefix === undefined ? {} : { prefix }),
      ...(searchParams === undefined ? {} : { searchParams }),
      context: { info },
    },
  };
}
