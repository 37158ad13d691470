/**
 * Fuzzed POST requests to a JSON route with Idempotency-Key, each invalid by construction: a
 * broken or random body with good headers, base64 garbage, or a valid body with a bad
 * Idempotency-Key or Content-Type. Shared by the send routes' and the batch route's fuzz tests.
 */
import fc from 'fast-check';

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
