/**
 * The local API gateway: the deployed HTTP API's routes on 127.0.0.1, in front of the bundled
 * functions. Like API Gateway it refuses unsigned or badly signed requests on IAM routes (403),
 * bodies over 10 MB (413), unknown routes (404) and requests over a route's own throttle (429,
 * API Gateway's `{"message":"Too Many Requests"}`) before any function runs, and hands each
 * function a payload 2.0 event with the IAM caller in `requestContext.authorizer.iam`; an event
 * over Lambda's 6 MB synchronous payload is answered 500, as API Gateway does when Lambda refuses
 * the invocation.
 *
 * Its refusals say more than API Gateway's (`{"message":"Forbidden"}`, `{"message":"Not
 * Found"}`, bodies an HTTP API cannot change): problem+json naming the routes it has, or how to
 * sign and where the key is. The status codes are API Gateway's, which is what a caller keys on.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { ThrottleSettings } from '../../infra/api-throttle.ts';
import { type HttpApiIdentity, httpApiEventOf, writeHttpApiResult } from './http-api-event.ts';
import { createRouteThrottle, type RouteThrottle } from './route-throttle.ts';
import { type LocalCredentials, verifySignature } from './sigv4.ts';

/** API Gateway's request payload limit (HTTP APIs): 10 MB. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** Lambda's limit on a synchronous invocation's request payload (the whole event): 6 MB. */
export const MAX_SYNC_INVOKE_BYTES = 6 * 1024 * 1024;

/** One route: a method and path, the function behind it and whether it needs SigV4. */
export interface GatewayRoute {
  method: string;
  /** The route's path; a `{name}` segment matches any one segment, as in API Gateway. */
  path: string;
  /** `iam`: SigV4-signed with known credentials (403 otherwise); `none`: public. */
  auth: 'iam' | 'none';
  /** The function's name, for logs. */
  functionName: string;
  /** The route's own throttle, as the deployed route settings have it; none: unthrottled. */
  throttle?: ThrottleSettings;
}

/** How the gateway runs a function; rejects when the function failed or timed out. */
export type InvokeHttpFunction = (
  functionName: string,
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyResultV2>;

/** One request the gateway answered, for the status output. */
export interface GatewayAccess {
  method: string;
  path: string;
  status: number;
  functionName?: string;
  durationMs: number;
  /** Why it was refused before reaching a function. */
  refusal?: string;
}

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  routes: readonly GatewayRoute[];
  invoke: InvokeHttpFunction;
  /** The access keys signed routes accept. */
  credentials: readonly LocalCredentials[];
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default us-east-1 (the SigV4 scope is `<region>/execute-api`). */
  region?: string;
  /** Default {@link MAX_PAYLOAD_BYTES}. */
  maxPayloadBytes?: number;
  onAccess?: (access: GatewayAccess) => void;
  /**
   * Where a caller finds the key to sign with, said in every 403 after how to sign; default:
   * the credentials of an IAM principal allowed to call the API.
   */
  signingHelp?: string;
  /** The throttles' clock in ms; default `performance.now`. */
  now?: () => number;
}

/** A running gateway. */
export interface RunningGateway {
  url: string;
  port: number;
  region: string;
  stop(): Promise<void>;
}

/** A function failed or timed out behind the gateway (API Gateway answers 500 or 503). */
export class IntegrationError extends Error {
  override name = 'IntegrationError';
  /** True when the function ran out of time. */
  readonly timedOut: boolean;
  constructor(message: string, options: { timedOut: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.timedOut = options.timedOut;
  }
}

/** Too many bytes in the body (the request is refused with 413). */
class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
}

function problem(
  response: ServerResponse,
  status: number,
  title: string,
  detail: string,
  extra?: Record<string, string>,
): void {
  response.writeHead(status, { 'content-type': 'application/problem+json', ...extra });
  response.end(JSON.stringify({ type: 'about:blank', title, status, detail }));
}

async function readBody(
  request: IncomingMessage,
  limit: number,
): Promise<{ body: Buffer; sha256: string }> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new PayloadTooLargeError(`More than ${limit} bytes`);
    hash.update(chunk);
    chunks.push(chunk);
  }
  return { body: Buffer.concat(chunks), sha256: hash.digest('hex') };
}

function headerPairs(request: IncomingMessage): Array<readonly [string, string]> {
  const pairs: Array<readonly [string, string]> = [];
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    pairs.push([request.rawHeaders[index] ?? '', request.rawHeaders[index + 1] ?? '']);
  }
  return pairs;
}

/** Starts the gateway on 127.0.0.1. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const region = options.region ?? 'us-east-1';
  const limit = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  const identity: HttpApiIdentity = { apiId: 'local', accountId: '000000000000', region };
  const signingHelp =
    options.signingHelp ?? 'the credentials of an IAM principal allowed to call the API';
  let port = 0;
  const throttles = new Map<GatewayRoute, RouteThrottle>(
    options.routes.flatMap((route) =>
      route.throttle ? [[route, createRouteThrottle(route.throttle, options.now)] as const] : [],
    ),
  );

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = (request.method ?? 'GET').toUpperCase();
    const access = (status: number, extra?: Partial<GatewayAccess>) =>
      options.onAccess?.({
        method,
        path: url.pathname,
        status,
        durationMs: performance.now() - started,
        ...extra,
      });
    const matched = matchRoute(options.routes, method, url.pathname);
    const route = matched?.route;
    if (!matched || !route) {
      request.resume();
      problem(response, 404, 'Not Found', noRouteDetail(options.routes, method, url.pathname));
      access(404, { refusal: 'no route' });
      return;
    }
    if (throttles.get(route)?.tryTake() === false) {
      request.resume();
      // API Gateway's own answer; a throttled request never reaches the function.
      response.writeHead(429, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Too Many Requests' }));
      access(429, { functionName: route.functionName, refusal: 'throttled' });
      return;
    }
    const declared = Number(request.headers['content-length'] ?? 0);
    let read: { body: Buffer; sha256: string };
    try {
      if (declared > limit) throw new PayloadTooLargeError(`Content-Length ${declared}`);
      read = await readBody(request, limit);
    } catch (error) {
      if (!(error instanceof PayloadTooLargeError)) throw error;
      // The rest of the body is not read: close the connection once the answer is out.
      problem(response, 413, 'Payload too large', `The request body exceeds ${limit} bytes`, {
        connection: 'close',
      });
      response.once('finish', () => request.socket.destroySoon());
      access(413, { functionName: route.functionName, refusal: 'payload too large' });
      return;
    }
    let caller: LocalCredentials | undefined;
    if (route.auth === 'iam') {
      const verdict = verifySignature(
        {
          method,
          path: url.pathname,
          query: url.search.replace(/^\?/, ''),
          headers: headerPairs(request),
          payloadSha256: read.sha256,
        },
        options.credentials,
        { region, service: 'execute-api' },
      );
      if (!verdict.ok) {
        problem(response, 403, 'Forbidden', signingDetail(verdict.message, region, signingHelp));
        access(403, { functionName: route.functionName, refusal: verdict.problem });
        return;
      }
      caller = verdict.credentials;
    }
    const routeKey = `${route.method} ${route.path}`;
    const event = httpApiEventOf(request, read.body, {
      identity,
      routeKey,
      ...(caller ? { caller } : {}),
    });
    if (Object.keys(matched.pathParameters).length > 0)
      event.pathParameters = matched.pathParameters;
    const requestId = event.requestContext.requestId;
    if (Buffer.byteLength(JSON.stringify(event)) > MAX_SYNC_INVOKE_BYTES) {
      // Lambda refuses the invocation (RequestEntityTooLarge); API Gateway says only 500.
      response.writeHead(500, { 'content-type': 'application/json', 'apigw-requestid': requestId });
      response.end(JSON.stringify({ message: 'Internal Server Error' }));
      access(500, { functionName: route.functionName, refusal: 'lambda payload too large' });
      return;
    }
    try {
      const result = await options.invoke(route.functionName, event);
      writeHttpApiResult(response, result, requestId);
      access(response.statusCode, { functionName: route.functionName });
    } catch (error) {
      const timedOut = error instanceof IntegrationError && error.timedOut;
      const status = timedOut ? 503 : 500;
      response.writeHead(status, {
        'content-type': 'application/json',
        'apigw-requestid': requestId,
      });
      response.end(
        JSON.stringify({ message: timedOut ? 'Service Unavailable' : 'Internal Server Error' }),
      );
      access(status, { functionName: route.functionName, refusal: String(error) });
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        problem(response, 500, 'Internal Server Error', 'The local gateway failed');
      } else {
        response.destroy(error instanceof Error ? error : undefined);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    region,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `No route GET /sms. This API has: POST /sms, POST /fax, POST /webhook.` */
export function noRouteDetail(
  routes: readonly GatewayRoute[],
  method: string,
  pathname: string,
): string {
  const known = routes.map((route) => `${route.method} ${route.path}`).join(', ');
  return `No route ${method} ${pathname}. This API has: ${known}.`;
}

/** Why a request was refused, then how to sign it and with what. */
export function signingDetail(reason: string, region: string, signingHelp: string): string {
  return `${reason}. Sign the request with AWS Signature Version 4 (service execute-api, region ${region}) using ${signingHelp}.`;
}

/**
 * The route for a request and its path parameters (decoded, as API Gateway passes them), or
 * `undefined`. A `{name}` segment matches one non-empty segment.
 */
export function matchRoute(
  routes: readonly GatewayRoute[],
  method: string,
  pathname: string,
): { route: GatewayRoute; pathParameters: Record<string, string> } | undefined {
  const segments = pathname.split('/');
  for (const route of routes) {
    if (route.method !== method) continue;
    const template = route.path.split('/');
    if (template.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = template.every((part, index) => {
      const segment = segments[index] ?? '';
      const parameter = /^\{(\w+)\}$/.exec(part)?.[1];
      if (parameter === undefined) return part === segment;
      if (segment === '') return false;
      try {
        pathParameters[parameter] = decodeURIComponent(segment);
      } catch {
        return false;
      }
      return true;
    });
    if (matches) return { route, pathParameters };
  }
  return undefined;
}
