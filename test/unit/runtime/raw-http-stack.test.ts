import { describe, expect, it } from 'vitest';
import {
  createRawHttpHandler,
  type RawHttpRequestContext,
} from '../../../lib/runtime/http-stack.ts';
import { HttpProblem } from '../../../lib/runtime/problem.ts';
import { httpApiEvent, lambdaContext } from '../../support/events.ts';

/** A raw-body handler whose route records what it was given. */
function recordingHandler(
  route: (request: RawHttpRequestContext) => Promise<{ status: number; body?: string }>,
) {
  const seen: RawHttpRequestContext[] = [];
  const handler = createRawHttpHandler({
    service: 'raw-http-stack-test',
    maxBodyBytes: 16,
    handler: async (request) => {
      seen.push(request);
      return route(request);
    },
  });
  return { handler, seen };
}

describe('createRawHttpHandler', () => {
  it('gives the route the body as sent and answers exactly what the route returns', async () => {
    // Prepare
    const { handler, seen } = recordingHandler(async (request) => ({
      status: 200,
      body: request.body(),
    }));
    const text = '{"b":1,  "a":2}';
    const event = httpApiEvent({
      path: '/hook',
      headers: { 'X-Token': 'abc' },
      body: Buffer.from(text).toString('base64'),
      isBase64Encoded: true,
    });

    // Act
    const response = await handler(event, lambdaContext());

    // Assess
    expect(response).toStrictEqual({ statusCode: 200, body: text });
    expect(seen[0]?.headers['x-token']).toBe('abc');
    expect(seen[0]?.requestId).toBe(event.requestContext.requestId);
    expect(seen[0]?.deadline).toBeGreaterThan(Date.now());
  });

  it('reads the body only when asked: a route may refuse a caller before an oversized body', async () => {
    // Prepare
    const { handler: refusing } = recordingHandler(async () => {
      throw new HttpProblem({ status: 401, title: 'Who are you' });
    });
    const { handler: reading } = recordingHandler(async (request) => ({
      status: 200,
      body: request.body(),
    }));
    const oversized = () => httpApiEvent({ path: '/hook', body: 'x'.repeat(17) });

    // Act
    const refused = await refusing(oversized(), lambdaContext());
    const tooLarge = await reading(oversized(), lambdaContext());

    // Assess
    expect(refused.statusCode).toBe(401);
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(tooLarge.body ?? '{}')).toMatchObject({
      status: 413,
      title: 'Payload too large',
    });
  });

  it('answers any other failure as a 500 problem with the request id and no error text', async () => {
    // Prepare
    const { handler } = recordingHandler(async () => {
      throw new Error('secret internals');
    });
    const event = httpApiEvent({ path: '/hook' });

    // Act
    const response = await handler(event, lambdaContext());

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.headers?.['x-request-id']).toBe(event.requestContext.requestId);
    expect(response.body).not.toContain('secret internals');
  });
});
