import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createIdempotencyPersistence } from '../../../lib/aws/idempotency.ts';
import { DeadlineExceededError, TransportError } from '../../../lib/ringcentral/index.ts';
import { createHttpHandler } from '../../../lib/runtime/http-stack.ts';
import { HttpProblem } from '../../../lib/runtime/problem.ts';
import type { LocalDynamo } from '../../support/dynalite.ts';
import { startDynalite } from '../../support/dynalite.ts';
import { httpApiEvent, lambdaContext } from '../../support/events.ts';

const smsBody = z.object({
  to: z.array(z.object({ phoneNumber: z.string().regex(/^\+[1-9]\d{1,14}$/) })).min(1),
  text: z.string().min(1).max(20),
});

function parse(response: APIGatewayProxyStructuredResultV2): Record<string, unknown> {
  return JSON.parse(response.body ?? 'null') as Record<string, unknown>;
}

function send(
  body: unknown,
  key: string | undefined,
  caller = 'arn:aws:iam::123456789012:user/caller',
) {
  return httpApiEvent({
    path: '/sms',
    body: body as object,
    headers: key === undefined ? {} : { 'Idempotency-Key': key },
    iamCaller: caller,
  });
}

describe('createHttpHandler against dynalite', () => {
  let dynamo: LocalDynamo;
  let tableName: string;
  let counter = 0;

  /** A handler whose work counts calls and can be slowed down or made to fail. */
  function sendHandler(work: () => Promise<void> = async () => undefined) {
    let calls = 0;
    counter += 1;
    const handler = createHttpHandler({
      service: 'http-stack-test',
      body: smsBody,
      idempotency: {
        required: true,
        persistence: createIdempotencyPersistence({
          tableName,
          client: dynamo.client,
          functionName: `send-${counter}`,
        }),
        expiresAfterSeconds: 3600,
      },
      handler: async ({ body, idempotencyKey }) => {
        calls += 1;
        await work();
        return {
          status: 202,
          body: { id: '9223372036854775807', to: body.to.length, key: idempotencyKey },
        };
      },
    });
    return { handler, calls: () => calls };
  }

  beforeAll(async () => {
    dynamo = await startDynalite();
    tableName = await dynamo.createStateTable();
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  it('answers 202 with the handler body, a request id and exact ids', async () => {
    // Prepare
    const { handler } = sendHandler();
    const event = send({ to: [{ phoneNumber: '+14155550100' }], text: 'hello' }, 'key-ok');

    // Act
    const response = await handler(event, lambdaContext());

    // Assess
    expect(response.statusCode).toBe(202);
    expect(response.headers?.['content-type']).toBe('application/json');
    expect(response.headers?.['x-request-id']).toBe(event.requestContext.requestId);
    expect(response.body).toContain('"id":"9223372036854775807"');
  });

  it('rejects invalid JSON with 400, a wrong content type with 415 and a large body with 413', async () => {
    // Prepare
    const { handler, calls } = sendHandler();
    const invalidJson = httpApiEvent({
      path: '/sms',
      body: '{"to": [',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k-json' },
    });
    const wrongType = httpApiEvent({
      path: '/sms',
      body: 'to=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': 'k-t' },
    });
    const tooLarge = httpApiEvent({
      path: '/sms',
      body: `{"text":"${'x'.repeat(10 * 1024 * 1024)}"}`,
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k-large' },
    });

    // Act
    const responses = await Promise.all(
      [invalidJson, wrongType, tooLarge].map((event) => handler(event, lambdaContext())),
    );

    // Assess
    expect(responses.map((response) => response.statusCode)).toEqual([400, 415, 413]);
    for (const response of responses) {
      expect(response.headers?.['content-type']).toBe('application/problem+json');
      expect(response.body).not.toMatch(/at .*\.ts:\d+/);
    }
    expect(calls()).toBe(0);
  });

  it('names each invalid field, without echoing values', async () => {
    // Prepare
    const { handler, calls } = sendHandler();
    const event = send({ to: [{ phoneNumber: 'secret-555' }], text: '' }, 'key-fields');

    // Act
    const response = await handler(event, lambdaContext());

    // Assess
    expect(response.statusCode).toBe(400);
    const problem = parse(response);
    const fields = (problem.errors as Array<{ field: string }>).map((error) => error.field);
    expect(fields.sort()).toEqual(['text', 'to[0].phoneNumber']);
    expect(response.body).not.toContain('secret-555');
    expect(problem.status).toBe(400);
    expect(calls()).toBe(0);
  });

  it('requires a valid Idempotency-Key', async () => {
    // Prepare
    const { handler, calls } = sendHandler();
    const body = { to: [{ phoneNumber: '+14155550100' }], text: 'hi' };

    // Act
    const missing = await handler(send(body, undefined), lambdaContext());
    const invalid = await handler(send(body, 'has spaces in it'), lambdaContext());

    // Assess
    expect([missing.statusCode, invalid.statusCode]).toEqual([400, 400]);
    expect(parse(missing).errors).toEqual([{ field: 'idempotency-key', message: 'is required' }]);
    expect(calls()).toBe(0);
  });

  it('runs concurrent duplicates once: the others get 409 with Retry-After', async () => {
    // Prepare (the one send that runs is held until the 19 others have answered, so they overlap
    // it however slow the machine is)
    let settled = 0;
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { handler, calls } = sendHandler(() => held);
    const body = { to: [{ phoneNumber: '+14155550100' }], text: 'once' };

    // Act
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        handler(send(body, 'key-concurrent'), lambdaContext()).finally(() => {
          settled += 1;
          if (settled === 19) release();
        }),
      ),
    );

    // Assess
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    const conflict = responses.find((response) => response.statusCode === 409);
    expect(conflict?.headers?.['retry-after']).toBe('1');
    expect(calls()).toBe(1);
  });

  it('replays the stored response for a repeat, regardless of JSON formatting', async () => {
    // Prepare
    const { handler, calls } = sendHandler();
    const first = await handler(
      send({ to: [{ phoneNumber: '+14155550100' }], text: 'again' }, 'key-repeat'),
      lambdaContext(),
    );
    const reordered = httpApiEvent({
      path: '/sms',
      body: '{ "text": "again",\n "to": [ { "phoneNumber": "+14155550100" } ] }',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'key-repeat' },
      iamCaller: 'arn:aws:iam::123456789012:user/caller',
    });

    // Act
    const second = await handler(reordered, lambdaContext());

    // Assess
    expect(second.statusCode).toBe(first.statusCode);
    expect(second.body).toBe(first.body);
    expect(second.headers?.['idempotent-replayed']).toBe('true');
    expect(calls()).toBe(1);
  });

  it('answers 422 when a key is reused with a different body', async () => {
    // Prepare
    const { handler, calls } = sendHandler();
    await handler(
      send({ to: [{ phoneNumber: '+14155550100' }], text: 'one' }, 'key-reuse'),
      lambdaContext(),
    );

    // Act
    const response = await handler(
      send({ to: [{ phoneNumber: '+14155550100' }], text: 'two' }, 'key-reuse'),
      lambdaContext(),
    );

    // Assess
    expect(response.statusCode).toBe(422);
    expect(parse(response).errors).toEqual([
      { field: 'idempotency-key', message: 'was used before with a different body' },
    ]);
    expect(calls()).toBe(1);
  });

  it('scopes keys by IAM caller', async () => {
    // Prepare
    const { handler, calls } = sendHandler();
    const other = 'arn:aws:iam::123456789012:user/other';

    // Act
    const mine = await handler(
      send({ to: [{ phoneNumber: '+14155550100' }], text: 'mine' }, 'key-shared'),
      lambdaContext(),
    );
    const theirs = await handler(
      send({ to: [{ phoneNumber: '+14155550199' }], text: 'theirs' }, 'key-shared', other),
      lambdaContext(),
    );

    // Assess
    expect([mine.statusCode, theirs.statusCode]).toEqual([202, 202]);
    expect(theirs.headers?.['idempotent-replayed']).toBeUndefined();
    expect(calls()).toBe(2);
  });

  it('keeps the keys of different services apart in one table', async () => {
    // Prepare: no function name, as when running outside Lambda.
    const route = (service: string) =>
      createHttpHandler({
        service,
        body: smsBody,
        idempotency: {
          required: true,
          persistence: createIdempotencyPersistence({
            tableName,
            client: dynamo.client,
            functionName: 'local-function',
          }),
        },
        handler: async () => ({ status: 202, body: { service } }),
      });
    const sms = route('send-sms');
    const pager = route('send-pager');

    // Act
    const first = await sms(
      send({ to: [{ phoneNumber: '+14155550100' }], text: 'a' }, 'k-svc'),
      lambdaContext(),
    );
    const second = await pager(
      send({ to: [{ phoneNumber: '+14155550100' }], text: 'b' }, 'k-svc'),
      lambdaContext(),
    );

    // Assess
    expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
    expect(parse(second)).toEqual({ service: 'send-pager' });
  });

  it('releases the key after a caller fault so that a corrected retry runs', async () => {
    // Prepare
    let fail = true;
    const { handler, calls } = sendHandler(async () => {
      if (fail) throw new HttpProblem({ status: 422, title: 'Rejected by the carrier' });
    });
    const body = { to: [{ phoneNumber: '+14155550100' }], text: 'retry' };
    const rejected = await handler(send(body, 'key-release'), lambdaContext());
    fail = false;

    // Act
    const retried = await handler(send(body, 'key-release'), lambdaContext());

    // Assess
    expect(rejected.statusCode).toBe(422);
    expect(retried.statusCode).toBe(202);
    expect(calls()).toBe(2);
  });

  it('keeps the key after an ambiguous send: every repeat gets the same 502 outcome-unknown', async () => {
    // Prepare
    const { handler, calls } = sendHandler(async () => {
      throw new TransportError('socket hang up', true, { method: 'POST', url: 'http://rc/sms' });
    });
    const body = { to: [{ phoneNumber: '+14155550100' }], text: 'maybe' };

    // Act
    const first = await handler(send(body, 'key-ambiguous'), lambdaContext());
    const repeat = await handler(send(body, 'key-ambiguous'), lambdaContext());

    // Assess
    expect(first.statusCode).toBe(502);
    const problem = parse(first);
    expect(problem.title).toBe('Outcome unknown');
    expect(String(problem.detail)).toMatch(/until \d{4}-\d\d-\d\dT/);
    expect(repeat.statusCode).toBe(502);
    expect(repeat.body).toBe(first.body);
    expect(calls()).toBe(1);
  });

  it('keeps the key when the deadline cut a send short', async () => {
    // Prepare
    const { handler, calls } = sendHandler(async () => {
      throw new DeadlineExceededError('POST did not finish before the deadline', undefined, {
        method: 'POST',
        url: 'http://rc/restapi/v1.0/account/~/extension/~/sms',
      });
    });
    const body = { to: [{ phoneNumber: '+14155550100' }], text: 'late' };

    // Act
    const first = await handler(send(body, 'key-deadline'), lambdaContext());
    const repeat = await handler(send(body, 'key-deadline'), lambdaContext());

    // Assess
    expect(first.statusCode).toBe(502);
    expect(parse(first).title).toBe('Outcome unknown');
    expect(repeat.body).toBe(first.body);
    expect(calls()).toBe(1);
  });

  it('releases the key when the transport error proves nothing was received', async () => {
    // Prepare
    const { handler, calls } = sendHandler(async () => {
      throw new TransportError('connect ECONNREFUSED', false);
    });
    const body = { to: [{ phoneNumber: '+14155550100' }], text: 'never' };

    // Act
    const first = await handler(send(body, 'key-unreached'), lambdaContext());
    const second = await handler(send(body, 'key-unreached'), lambdaContext());

    // Assess
    expect([first.statusCode, second.statusCode]).toEqual([502, 502]);
    expect(first.headers?.['retry-after']).toBeDefined();
    expect(calls()).toBe(2);
  });
});

describe('createHttpHandler without idempotency', () => {
  it('accepts an empty body when allowed and answers with the handler headers', async () => {
    // Prepare
    const handler = createHttpHandler({
      service: 'http-stack-test',
      body: z.undefined().or(z.object({ event: z.string() })),
      allowEmptyBody: true,
      handler: async ({ headers }) => ({
        status: 200,
        body: undefined,
        headers: { 'validation-token': headers['validation-token'] ?? '' },
      }),
    });
    const event = httpApiEvent({ path: '/webhook', headers: { 'Validation-Token': 'vt-123' } });

    // Act
    const response = await handler(event, lambdaContext());

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['validation-token']).toBe('vt-123');
    expect(response.body).toBeUndefined();
  });

  it('answers a handler timeout at the deadline with 504', async () => {
    // Prepare
    const handler = createHttpHandler({
      service: 'http-stack-test',
      body: z.object({}),
      handler: async ({ signal }) => {
        await new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
        return { status: 200, body: {} };
      },
    });
    const event = httpApiEvent({ path: '/x', body: {} });

    // Act
    const response = await handler(event, lambdaContext({ remainingMs: 1_000 }));

    // Assess
    expect(response.statusCode).toBe(504);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
  });
});
