import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type GatewayAccess,
  IntegrationError,
  MAX_PAYLOAD_BYTES,
  MAX_SYNC_INVOKE_BYTES,
  type RunningGateway,
  startGateway,
} from '../../../local/stack/gateway.ts';
import { type LocalCredentials, sha256Hex, signRequest } from '../../../local/stack/sigv4.ts';
import { postSignedByCurl, postSignedBySdk } from './signers.ts';

const caller: LocalCredentials = {
  accessKeyId: 'AKIALOCALTESTKEY0001',
  secretAccessKey: 'test-secret-0123456789abcdefghijklmnopqr',
  userArn: 'arn:aws:iam::000000000000:user/test-caller',
  accountId: '000000000000',
  userId: 'AIDALOCALTESTKEY0001',
};

/** Temporary (STS-style) credentials: their session token belongs to the key. */
const temporaryCaller: LocalCredentials = {
  accessKeyId: 'ASIALOCALTESTKEY0002',
  secretAccessKey: 'test-secret-temporary-0123456789abcdefgh',
  sessionToken: 'session-token-of-ASIALOCALTESTKEY0002',
  userArn: 'arn:aws:sts::000000000000:assumed-role/order-service/session-1',
  accountId: '000000000000',
  userId: 'AROALOCALTESTROLE0002:session-1',
};

describe('local gateway', () => {
  let gateway: RunningGateway;
  const events: Array<{ functionName: string; event: APIGatewayProxyEventV2 }> = [];
  const accesses: GatewayAccess[] = [];
  let failNext: 'error' | 'timeout' | undefined;

  beforeAll(async () => {
    gateway = await startGateway({
      port: 0,
      credentials: [caller, temporaryCaller],
      routes: [
        { method: 'POST', path: '/sms', auth: 'iam', functionName: 'send-sms' },
        { method: 'POST', path: '/fax', auth: 'iam', functionName: 'send-fax' },
        { method: 'POST', path: '/webhook', auth: 'none', functionName: 'webhook' },
      ],
      onAccess: (access) => accesses.push(access),
      signingHelp: 'the key in the banner',
      invoke: async (functionName, event) => {
        if (failNext) {
          const timedOut = failNext === 'timeout';
          failNext = undefined;
          throw new IntegrationError('failed', { timedOut });
        }
        events.push({ functionName, event });
        return {
          statusCode: 202,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ seen: event.rawPath }),
        };
      },
    });
  });

  afterAll(async () => {
    await gateway.stop();
  });

  beforeEach(() => {
    events.length = 0;
    accesses.length = 0;
  });

  const smsRequest = () => ({
    url: `${gateway.url}/sms?trace=a%20b&x=1`,
    body: JSON.stringify({ to: ['+16505550102'], text: 'hello, signed world' }),
    headers: { 'content-type': 'application/json', 'idempotency-key': `key-${Math.random()}` },
  });

  it('passes a request signed by the AWS SDK signer to the function with the IAM caller', async () => {
    // Prepare
    const request = smsRequest();

    // Act
    const response = await postSignedBySdk(request, caller);

    // Assess
    expect(response.status).toBe(202);
    expect(JSON.parse(response.body)).toEqual({ seen: '/sms' });
    expect(events).toHaveLength(1);
    const { functionName, event } = events[0] ?? expect.unreachable();
    expect(functionName).toBe('send-sms');
    expect(() => APIGatewayProxyEventV2Schema.parse(event)).not.toThrow();
    expect(event.routeKey).toBe('POST /sms');
    expect(event.rawQueryString).toBe('trace=a%20b&x=1');
    expect(event.queryStringParameters).toEqual({ trace: 'a b', x: '1' });
    expect(event.body).toBe(request.body);
    expect(event.isBase64Encoded).toBe(false);
    expect(event.headers['idempotency-key']).toBe(request.headers['idempotency-key']);
    const iam = (event.requestContext as { authorizer?: { iam?: Record<string, unknown> } })
      .authorizer?.iam;
    expect(iam?.userArn).toBe(caller.userArn);
    expect(iam?.accessKey).toBe(caller.accessKeyId);
  });

  it("accepts a request signed by this machine's curl --aws-sigv4", async () => {
    // Prepare
    const request = smsRequest();

    // Act
    const response = await postSignedByCurl(request, caller);

    // Assess
    expect(response.status).toBe(202);
    expect(events.map((seen) => seen.event.body)).toEqual([request.body]);
  });

  it('accepts its own signer (npm run local:send) as the SDK does', async () => {
    // Prepare
    const url = new URL(`${gateway.url}/fax`);
    const body = JSON.stringify({ to: ['+16505551102'], documents: [] });
    const headers = { host: url.host, 'content-type': 'application/json' };
    const signed = signRequest(
      {
        method: 'POST',
        path: '/fax',
        query: '',
        headers: Object.entries(headers),
        payloadSha256: sha256Hex(body),
      },
      caller,
      { region: 'us-east-1', service: 'execute-api' },
    );

    // Act
    const response = await fetch(url, { method: 'POST', headers: { ...headers, ...signed }, body });

    // Assess
    expect(response.status).toBe(202);
    expect(events.map((seen) => seen.functionName)).toEqual(['send-fax']);
  });

  it('accepts temporary credentials that carry their own session token', async () => {
    // Prepare
    const request = smsRequest();

    // Act
    const response = await postSignedBySdk(request, temporaryCaller);

    // Assess
    expect(response.status).toBe(202);
    expect(events).toHaveLength(1);
  });

  it('refuses an unsigned request with 403 problem+json saying how to sign and with what, before any function runs', async () => {
    // Prepare
    const request = smsRequest();

    // Act
    const response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });

    // Assess
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toEqual({
      type: 'about:blank',
      status: 403,
      title: 'Forbidden',
      detail:
        'Missing Authentication Token. Sign the request with AWS Signature Version 4 (service execute-api, region us-east-1) using the key in the banner.',
    });
    expect(events).toHaveLength(0);
    expect(accesses.map((access) => access.refusal)).toEqual(['missing-authentication']);
  });

  it.each([
    {
      name: 'a wrong secret key',
      send: (request: ReturnType<typeof smsRequest>) =>
        postSignedBySdk(request, { ...caller, secretAccessKey: `${caller.secretAccessKey}x` }),
      refusal: 'signature-mismatch',
    },
    {
      name: 'an unknown access key',
      send: (request: ReturnType<typeof smsRequest>) =>
        postSignedBySdk(request, { ...caller, accessKeyId: 'AKIAUNKNOWNKEY000000' }),
      refusal: 'unknown-access-key',
    },
    {
      name: 'a long-term key with a garbage X-Amz-Security-Token, signed',
      send: (request: ReturnType<typeof smsRequest>) =>
        postSignedBySdk(request, { ...caller, sessionToken: 'garbage-session-token' }),
      refusal: 'invalid-security-token',
    },
    {
      name: "temporary credentials with another session's token",
      send: (request: ReturnType<typeof smsRequest>) =>
        postSignedBySdk(request, { ...temporaryCaller, sessionToken: 'another-session-token' }),
      refusal: 'invalid-security-token',
    },
    {
      name: 'temporary credentials without their token',
      send: (request: ReturnType<typeof smsRequest>) =>
        postSignedBySdk(request, { ...temporaryCaller, sessionToken: undefined }),
      refusal: 'invalid-security-token',
    },
    {
      name: 'a body changed after signing',
      send: (request: ReturnType<typeof smsRequest>) =>
        postSignedBySdk(request, caller, { bodySent: request.body.replace('hello', 'HELLO') }),
      refusal: 'signature-mismatch',
    },
    {
      name: 'another region in the scope',
      send: (request: ReturnType<typeof smsRequest>) =>
        postSignedBySdk(request, caller, { region: 'eu-west-1' }),
      refusal: 'wrong-scope',
    },
    {
      name: 'a signature 10 minutes old',
      send: (request: ReturnType<typeof smsRequest>) =>
        postSignedBySdk(request, caller, { signingDate: new Date(Date.now() - 10 * 60_000) }),
      refusal: 'signature-expired',
    },
  ])('refuses $name with 403', async ({ send, refusal }) => {
    // Prepare
    const request = smsRequest();

    // Act
    const response = await send(request);

    // Assess
    expect(response.status).toBe(403);
    expect(response.contentType).toBe('application/problem+json');
    expect(events).toHaveLength(0);
    expect(accesses.map((access) => access.refusal)).toEqual([refusal]);
  });

  it('refuses a body over 10 MB with 413, signed or not', async () => {
    // Prepare
    const body = 'x'.repeat(MAX_PAYLOAD_BYTES + 1);

    // Act
    const response = await postSignedBySdk(
      { url: `${gateway.url}/fax`, body, headers: { 'content-type': 'text/plain' } },
      caller,
    );

    // Assess
    expect(response.status).toBe(413);
    expect(response.contentType).toBe('application/problem+json');
    expect(events).toHaveLength(0);
  });

  it('passes a body of exactly 10 MB, then answers 500 as API Gateway does when Lambda refuses the 6 MB event', async () => {
    // Prepare
    const body = 'y'.repeat(MAX_PAYLOAD_BYTES);

    // Act
    const response = await postSignedBySdk(
      { url: `${gateway.url}/fax`, body, headers: { 'content-type': 'application/json' } },
      caller,
    );

    // Assess
    expect(response.status).toBe(500);
    expect(events).toHaveLength(0);
    expect(accesses.map((access) => access.refusal)).toEqual(['lambda payload too large']);
  });

  it('hands the function an event just under the 6 MB of a synchronous invocation', async () => {
    // Prepare: room for the event around the body (headers, request context).
    const body = 'z'.repeat(MAX_SYNC_INVOKE_BYTES - 16 * 1024);

    // Act
    const response = await postSignedBySdk(
      { url: `${gateway.url}/fax`, body, headers: { 'content-type': 'application/json' } },
      caller,
    );

    // Assess
    expect(response.status).toBe(202);
    expect(events[0]?.event.body?.length).toBe(body.length);
  });

  it('lets an unsigned request through on the public webhook route, without a caller', async () => {
    // Prepare
    const body = '{"uuid":"1"}';

    // Act
    const response = await fetch(`${gateway.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'validation-token': 'abc' },
      body,
    });

    // Assess
    expect(response.status).toBe(202);
    const { event } = events[0] ?? expect.unreachable();
    expect(event.headers['validation-token']).toBe('abc');
    expect('authorizer' in event.requestContext).toBe(false);
  });

  it('base64-encodes a binary body, as API Gateway does', async () => {
    // Prepare
    const bytes = Buffer.from([0, 255, 1, 254, 2]);

    // Act
    const response = await fetch(`${gateway.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });

    // Assess
    expect(response.status).toBe(202);
    const { event } = events[0] ?? expect.unreachable();
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
  });

  it('answers 404 problem+json naming the routes it has for a route the API does not have', async () => {
    // Act
    const wrongPath = await fetch(`${gateway.url}/nope`, { method: 'POST', body: '{}' });
    const wrongMethod = await fetch(`${gateway.url}/sms`, { method: 'GET' });

    // Assess
    expect([wrongPath.status, wrongMethod.status]).toEqual([404, 404]);
    expect(wrongPath.headers.get('content-type')).toBe('application/problem+json');
    expect(await wrongPath.json()).toEqual({
      type: 'about:blank',
      status: 404,
      title: 'Not Found',
      detail: 'No route POST /nope. This API has: POST /sms, POST /fax, POST /webhook.',
    });
    expect(((await wrongMethod.json()) as { detail: string }).detail).toContain(
      'No route GET /sms.',
    );
    expect(events).toHaveLength(0);
  });

  it('answers 500 when the function fails and 503 when it times out', async () => {
    // Prepare
    const send = () => fetch(`${gateway.url}/webhook`, { method: 'POST', body: '{}' });

    // Act
    failNext = 'error';
    const failed = await send();
    failNext = 'timeout';
    const timedOut = await send();

    // Assess
    expect([failed.status, timedOut.status]).toEqual([500, 503]);
  });
});

describe("local gateway: a route's own throttle", () => {
  const limits = { rateLimit: 2, burstLimit: 3 };
  let gateway: RunningGateway;
  let clockMs = 0;
  const invoked: string[] = [];
  const accesses: GatewayAccess[] = [];

  beforeAll(async () => {
    gateway = await startGateway({
      port: 0,
      credentials: [caller],
      routes: [
        {
          method: 'POST',
          path: '/webhook',
          auth: 'none',
          functionName: 'webhook',
          throttle: limits,
        },
        { method: 'POST', path: '/open', auth: 'none', functionName: 'open' },
      ],
      now: () => clockMs,
      onAccess: (access) => accesses.push(access),
      invoke: async (functionName) => {
        invoked.push(functionName);
        return { statusCode: 200, body: '{}' };
      },
    });
  });

  afterAll(async () => {
    await gateway.stop();
  });

  const post = (path: string) => fetch(`${gateway.url}${path}`, { method: 'POST', body: '{}' });

  it('passes a burst, then answers 429 as API Gateway does until the bucket refills, other routes untouched', async () => {
    // Act: the burst and one more at the same instant; another route; then half a second on.
    const burst: number[] = [];
    for (let index = 0; index <= limits.burstLimit; index += 1) {
      burst.push((await post('/webhook')).status);
    }
    const throttled = await post('/webhook');
    const otherRoute = await post('/open');
    clockMs += 500;
    const afterRefill = [(await post('/webhook')).status, (await post('/webhook')).status];

    // Assess
    expect(burst).toEqual([200, 200, 200, 429]);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('content-type')).toBe('application/json');
    expect(await throttled.json()).toEqual({ message: 'Too Many Requests' });
    expect(otherRoute.status).toBe(200);
    // 2 per second: half a second refills one request.
    expect(afterRefill).toEqual([200, 429]);
    expect(invoked.filter((name) => name === 'webhook')).toHaveLength(4);
    expect(accesses.filter((access) => access.status === 429)).toEqual(
      Array.from({ length: 3 }, () => expect.objectContaining({ refusal: 'throttled' })),
    );
  });
});
