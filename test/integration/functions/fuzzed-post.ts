/**
 * Fuzzed POST requests to a JSON route with Idempotency-Key, each invalid by construction: a
 * broken or random body with good headers, base64 garbage, or a valid body with a bad
 * Idempotency-Key or Content-Type; and the run that holds a route to a 4xx problem+json answer for
 * every one. Shared by the send routes' and the batch routes' fuzz tests.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { expect, vi } from 'vitest';
import { problemResponse } from '../../../lib/api/responses.ts';
import { parseResponse } from './send-harness.ts';

const VALID_KEY = /^[\x21-\x7e]{1,255}$/;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** One fuzzed request: raw body text and headers. */
export interface FuzzRequest {
  body: string | undefined;
  headers: Record<string, string>;
  isBase64Encoded: boolean;
}

const goodHeaders = fc.record({
  'content-type': fc.constantFrom('application/json', 'application/json; charset=utf-8'),
  'idempotency-key': fc.uuid(),
});

/** Requests refused by construction; `brokenBodies` are the route's own invalid JSON texts. */
export function fuzzedJsonPost(
  brokenBodies: fc.Arbitrary<string>,
  validText: string,
): fc.Arbitrary<FuzzRequest> {
  const randomJson = fc.anything().map((value) => JSON.stringify(value) ?? 'undefined');
  const rawText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constant(''));
  const badBody = fc.record({
    body: fc.oneof(brokenBodies, randomJson, rawText),
    headers: goodHeaders,
    isBase64Encoded: fc.constant(false),
  });
  const base64Garbage = fc.record({
    body: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64')),
    headers: goodHeaders,
    isBase64Encoded: fc.constant(true),
  });
  const badKey = fc.oneof(
    fc.constant(undefined),
    fc.string().filter((key) => !VALID_KEY.test(key)),
    fc.constant('k'.repeat(256)),
  );
  const badType = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', ''),
    fc.string().filter((type) => !JSON_TYPE.test(type)),
  );
  const badHeaders = fc.record({
    body: fc.constant(validText),
    isBase64Encoded: fc.constant(false),
    headers: fc.oneof(
      badKey.map(
        (key): Record<string, string> => ({
          'content-type': 'application/json',
          ...(key === undefined ? {} : { 'idempotency-key': key }),
        }),
      ),
      badType.map(
        (type): Record<string, string> => ({
          ...(type === undefined ? {} : { 'content-type': type }),
          'idempotency-key': 'a-valid-key',
        }),
      ),
    ),
  });
  return fc.oneof(badBody, base64Garbage, badHeaders);
}

/**
 * Runs `runs` generated requests through `answer` and asserts each answer is a 4xx
 * application/problem+json; returns how many answers had each status. Every 4xx is logged and
 * counted by the function: those lines are kept out of the test output.
 */
export async function answerEveryOneWithProblems<T>(
  requests: fc.Arbitrary<T>,
  answer: (request: T) => Promise<APIGatewayProxyStructuredResultV2>,
  runs: number,
): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  const output = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        const result = parseResponse(await answer(request));
        statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
        expect(result.status).toBeGreaterThanOrEqual(400);
        expect(result.status).toBeLessThan(500);
        expect(result.headers['content-type']).toBe('application/problem+json');
        expect(problemResponse.safeParse(result.body).success).toBe(true);
      }),
      { numRuns: runs },
    );
  } finally {
    output.mockRestore();
  }
  return statuses;
}
