import { randomUUID } from 'node:crypto';
import {
  APIGatewayProxyEventV2Schema,
  EventBridgeSchema,
} from '@aws-lambda-powertools/parser/schemas';
import type { APIGatewayProxyEventV2, Context, EventBridgeEvent } from 'aws-lambda';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/** What an HTTP API (payload 2.0) test request carries. */
export interface HttpApiEventInit {
  method?: string;
  /** Path with an optional query string, e.g. `/sms` or `/sms?dry=1`. */
  path: string;
  /** Header names are lower-cased, as API Gateway does. */
  headers?: Record<string, string>;
  /** A string is sent as is; an object as JSON with content-type application/json. */
  body?: string | object;
  isBase64Encoded?: boolean;
  /** An IAM user ARN: the request is then IAM-authorised (SigV4 headers, authorizer.iam). */
  iamCaller?: string;
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) result[name.toLowerCase()] = value;
  return result;
}

/**
 * An API Gateway HTTP API event (payload format 2.0) as Lambda receives it, validated with
 * Powertools' APIGatewayProxyEventV2Schema.
 */
export function httpApiEvent(init: HttpApiEventInit): APIGatewayProxyEventV2 {
  const method = (init.method ?? 'POST').toUpperCase();
  const [rawPath = '/', rawQueryString = ''] = init.path.split('?', 2);
  const now = new Date();
  const body =
    init.body === undefined
      ? undefined
      : typeof init.body === 'string'
        ? init.body
        : JSON.stringify(init.body);
  const headers: Record<string, string> = {
    accept: '*/*',
    host: 'abc123.execute-api.us-east-1.amazonaws.com',
    'user-agent': 'vitest',
    'x-amzn-trace-id': `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    'x-forwarded-for': '203.0.113.7',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
  };
  if (body !== undefined) {
    headers['content-length'] = String(
      init.isBase64Encoded ? Buffer.byteLength(body, 'base64') : Buffer.byteLength(body),
    );
    if (typeof init.body === 'object') headers['content-type'] = 'application/json';
  }
  if (init.iamCaller) {
    headers['x-amz-date'] = now.toISOString().replace(/[-:]|\.\d{3}/g, '');
    headers['x-amz-security-token'] = `IQoJb3JpZ2luX2VjE${randomUUID().replaceAll('-', '')}`;
    headers.authorization =
      `AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/${headers['x-amz-date'].slice(0, 8)}/${REGION}/execute-api/aws4_request, ` +
      `SignedHeaders=host;x-amz-date, Signature=${randomUUID().replaceAll('-', '')}`;
  }
  Object.assign(headers, lowerCaseKeys(init.headers));
  const requestId = `${randomUUID().slice(0, 8)}=`;
  const event = {
    version: '2.0',
    routeKey: `${method} ${rawPath}`,
    rawPath,
    rawQueryString,
    headers,
    ...(rawQueryString
      ? { queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)) }
      : {}),
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'abc123',
      ...(init.iamCaller
        ? {
            authorizer: {
              iam: {
                accessKey: 'ASIAEXAMPLE',
                accountId: ACCOUNT,
                callerId: 'AIDAEXAMPLE',
                principalOrgId: null,
                userArn: init.iamCaller,
                userId: 'AIDAEXAMPLE',
                cognitoIdentity: null,
              },
            },
          }
        : {}),
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: headers['user-agent'] ?? 'vitest',
      },
      requestId,
      routeKey: `${method} ${rawPath}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: init.isBase64Encoded ?? false,
  };
  APIGatewayProxyEventV2Schema.parse(event);
  return event as APIGatewayProxyEventV2;
}

/** The event an EventBridge schedule delivers (detail-type "Scheduled Event"), validated. */
export function scheduledEvent(init?: {
  scheduleArn?: string;
  time?: string;
}): EventBridgeEvent<'Scheduled Event', object> {
  const event = {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event' as const,
    source: 'aws.scheduler',
    account: ACCOUNT,
    time: init?.time ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: REGION,
    resources: [
      init?.scheduleArn ?? `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/test-schedule`,
    ],
    detail: {},
  };
  EventBridgeSchema.parse(event);
  return event;
}

/** An EventBridge event with the given detail-type and detail, validated. */
export function eventBridgeEvent<D>(
  detailType: string,
  detail: D,
  init?: { id?: string; source?: string; time?: string; resources?: string[] },
): EventBridgeEvent<string, D> {
  const event = {
    version: '0',
    id: init?.id ?? randomUUID(),
    'detail-type': detailType,
    source: init?.source ?? 'ringcentral-message-automation.tests',
    account: ACCOUNT,
    time: init?.time ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: REGION,
    resources: init?.resources ?? [],
    detail,
  };
  EventBridgeSchema.parse(event);
  return event;
}

/** A Lambda context whose remaining time counts down from `remainingMs` (default 30 s). */
export function lambdaContext(init?: { remainingMs?: number; functionName?: string }): Context {
  const functionName = init?.functionName ?? 'test-function';
  const endsAt = Date.now() + (init?.remainingMs ?? 30_000);
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2025/01/01/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, endsAt - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
