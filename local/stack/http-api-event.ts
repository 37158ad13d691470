/**
 * Turns a real HTTP request into the event API Gateway (HTTP API, payload format 2.0) hands a
 * Lambda function, and the function's result back into a response.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { LocalCredentials } from './sigv4.ts';

/** The API's identity in the events (API Gateway's values are opaque ids too). */
export interface HttpApiIdentity {
  apiId: string;
  accountId: string;
  region: string;
}

/** Content types API Gateway passes as text; anything else arrives base64-encoded. */
const TEXT_TYPES =
  /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript|x-www-form-urlencoded)\b)/i;

function isText(contentType: string | undefined, body: Buffer): boolean {
  if (body.length === 0) return true;
  if (!TEXT_TYPES.test(contentType ?? '')) return false;
  // Text that is not valid UTF-8 cannot travel as a JSON string.
  return Buffer.from(body.toString('utf8'), 'utf8').equals(body);
}

/** The request's headers as API Gateway passes them: lower-case names, repeats joined by commas. */
function joinedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  const raw = request.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = (raw[index] ?? '').toLowerCase();
    const value = raw[index + 1] ?? '';
    if (name === 'cookie') continue;
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return headers;
}

/** Builds the payload 2.0 event of a request whose body has been read. */
export function httpApiEventOf(
  request: IncomingMessage,
  body: Buffer,
  init: { identity: HttpApiIdentity; routeKey: string; caller?: LocalCredentials },
): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = (request.method ?? 'GET').toUpperCase();
  const now = new Date();
  const headers = joinedHeaders(request);
  const host = headers.host ?? '127.0.0.1';
  headers['x-forwarded-for'] = request.socket.remoteAddress ?? '127.0.0.1';
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = String(request.socket.localPort ?? '');
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)}`;
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }
  const cookies = request.headers.cookie?.split(/;\s*/).filter((cookie) => cookie !== '');
  const text = isText(headers['content-type'], body);
  const caller = init.caller;
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: init.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: init.identity.accountId,
      apiId: init.identity.apiId,
      ...(caller
        ? {
            authorizer: {
              iam: {
                accessKey: caller.accessKeyId,
                accountId: caller.accountId,
                callerId: caller.userId,
                cognitoIdentity: null,
                principalOrgId: null,
                userArn: caller.userArn,
                userId: caller.userId,
              },
            },
          }
        : {}),
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `${randomUUID().replaceAll('-', '').slice(0, 14)}=`,
      routeKey: init.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !text,
  } as APIGatewayProxyEventV2;
  return event;
}

/**
 * Writes a function's result as API Gateway would: a structured result as given; anything else
 * (payload 2.0's inference) as a 200 JSON body.
 */
export function writeHttpApiResult(
  response: ServerResponse,
  result: APIGatewayProxyResultV2,
  requestId: string,
): void {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    response.writeHead(200, { 'content-type': 'application/json', 'apigw-requestid': requestId });
    response.end(body);
    return;
  }
  const headers: Record<string, string | string[]> = { 'apigw-requestid': requestId };
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  const body =
    result.body === undefined
      ? ''
      : result.isBase64Encoded
        ? Buffer.from(result.body, 'base64')
        : result.body;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}
