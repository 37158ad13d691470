import {
  IdempotencyAlreadyInProgressError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AbortedError,
  AuthError,
  DeadlineExceededError,
  InvalidInputError,
  InvalidRequestError,
  NotFoundError,
  RateBudgetExhaustedError,
  RateLimitedError,
  ServerError,
  TransportError,
} from '../../../lib/ringcentral/index.ts';
import { HttpProblem, problemResponse, toProblem } from '../../../lib/runtime/problem.ts';

const rejected = (status: number, errorCode: string) =>
  new InvalidRequestError(`${errorCode}: refused`, {
    status,
    errorCode,
    errors: [{ errorCode, message: 'refused', parameterName: 'to' }],
  });

describe('toProblem', () => {
  it.each([
    ['RateLimitedError', new RateLimitedError('429', 42_500, { status: 429 }), 503, '43'],
    ['DeadlineExceededError', new DeadlineExceededError('late', 12_000), 503, '12'],
    ['RateBudgetExhaustedError', new RateBudgetExhaustedError('no slot', 7_200), 503, '8'],
    ['ServerError', new ServerError('boom', { status: 503 }), 502, '10'],
    ['TransportError (unreached)', new TransportError('refused', false), 502, '5'],
    ['TransportError (ambiguous)', new TransportError('reset', true), 502, '5'],
    ['AbortedError', new AbortedError('aborted'), 504, '5'],
    ['AuthError', new AuthError('OAU-213', { status: 401, errorCode: 'OAU-213' }), 502, '60'],
    ['NotFoundError', new NotFoundError('gone', { status: 404 }), 502, '60'],
    ['MSG-348', rejected(415, 'MSG-348'), 415, undefined],
    ['SMS-CAR-451', rejected(400, 'SMS-CAR-451'), 422, undefined],
    ['CMN-101', rejected(400, 'CMN-101'), 422, undefined],
    ['MSG-338', rejected(400, 'MSG-338'), 413, undefined],
    ['InvalidInputError', new InvalidInputError('text too long'), 400, undefined],
  ])('maps %s to %i with Retry-After %s', (_name, error, status, retryAfter) => {
    // Act
    const response = problemResponse(toProblem(error), 'req-1');

    // Assess
    expect(response.statusCode).toBe(status);
    expect(response.headers?.['retry-after']).toBe(retryAfter);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    const body = JSON.parse(response.body ?? '{}') as Record<string, unknown>;
    expect(body.status).toBe(status);
    expect(body.requestId).toBe('req-1');
    expect(response.body).not.toContain('    at ');
  });

  it('says the outcome is unknown only when the request may have been received', () => {
    // Act
    const ambiguous = toProblem(new TransportError('reset', true));
    const unreached = toProblem(new TransportError('refused', false));

    // Assess
    expect(ambiguous.title).toBe('Outcome unknown');
    expect(unreached.title).not.toBe('Outcome unknown');
  });

  it('treats a deadline or abort during a POST exchange as an unknown outcome, not a rate limit', () => {
    // Prepare
    const exchange = { method: 'POST', url: 'http://rc/restapi/v1.0/account/~/extension/~/sms' };
    const inFlight = new DeadlineExceededError('did not finish', undefined, exchange);
    const abortedInFlight = new AbortedError('was aborted', exchange);
    const beforeSending = new DeadlineExceededError('pacing wait too long', 12_000);
    const readTimedOut = new DeadlineExceededError('did not finish', undefined, {
      method: 'GET',
      url: 'http://rc/restapi/v1.0/account/~/extension/~/message-store',
    });

    // Act
    const problems = [inFlight, abortedInFlight, beforeSending, readTimedOut].map(toProblem);

    // Assess
    expect(problems.map((problem) => [problem.status, problem.title])).toEqual([
      [504, 'Outcome unknown'],
      [504, 'Outcome unknown'],
      [503, 'RingCentral capacity exhausted for now'],
      [503, 'RingCentral capacity exhausted for now'],
    ]);
    expect(problems[0]?.retryAfterSeconds).toBeUndefined();
  });

  it('passes RingCentral field names on for carrier rejections', () => {
    // Act
    const problem = toProblem(rejected(400, 'SMS-CAR-452'));

    // Assess
    expect(problem.title).toBe('Rejected by the carrier');
    expect(problem.errors).toEqual([{ field: 'to', message: 'refused' }]);
  });

  it('says a missing field is required, not that undefined is the wrong type', () => {
    // Prepare
    const result = z.object({ text: z.string(), to: z.array(z.string()) }).safeParse({ to: [7] });
    if (result.success) throw new Error('expected a failure');

    // Act
    const problem = toProblem(result.error);

    // Assess
    expect(problem.errors?.find((error) => error.field === 'text')?.message).toBe('is required');
    expect(problem.errors?.find((error) => error.field === 'to[0]')?.message).toMatch(
      /expected string/,
    );
  });

  it('maps zod errors to 400 with to[0]-style field paths and no values', () => {
    // Prepare
    const result = z
      .object({ to: z.array(z.object({ phoneNumber: z.string().startsWith('+') })) })
      .safeParse({ to: [{ phoneNumber: 'leaked-value' }] });
    if (result.success) throw new Error('expected a failure');

    // Act
    const problem = toProblem(result.error);

    // Assess
    expect(problem.status).toBe(400);
    expect(problem.errors?.map((error) => error.field)).toEqual(['to[0].phoneNumber']);
    expect(JSON.stringify(problemResponse(problem))).not.toContain('leaked-value');
  });

  it.each([
    ['IdempotencyAlreadyInProgressError', new IdempotencyAlreadyInProgressError('busy'), 409],
    ['IdempotencyValidationError', new IdempotencyValidationError('changed'), 422],
    ['IdempotencyPersistenceLayerError', new IdempotencyPersistenceLayerError('down'), 503],
  ])('maps %s to %i', (_name, error, status) => {
    // Act
    const problem = toProblem(error);

    // Assess
    expect(problem.status).toBe(status);
  });

  it('keeps an HttpProblem as it is', () => {
    // Prepare
    const original = new HttpProblem({ status: 418, title: 'Teapot', retryAfterSeconds: 3 });

    // Act
    const problem = toProblem(original);

    // Assess
    expect(problem).toBe(original);
    expect(problemResponse(problem).headers?.['retry-after']).toBe('3');
  });

  it('answers anything unknown with a bare 500', () => {
    // Prepare
    const error = new TypeError("Cannot read properties of undefined (reading 'secretThing')");

    // Act
    const response = problemResponse(toProblem(error));

    // Assess
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body ?? '{}')).toEqual({
      type: 'about:blank',
      title: 'Internal error',
      status: 500,
    });
  });
});
