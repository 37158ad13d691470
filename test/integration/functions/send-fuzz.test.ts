/**
 * Fuzzing the three send functions and the status route: thousands of random or malformed bodies and headers, each
 * invalid by construction, must all get a 4xx application/problem+json answer and never reach
 * RingCentral. Handlers are called directly with real API Gateway v2 events to keep it fast.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { E164_PATTERN } from '../../../lib/ringcentral/validation.ts';
import { httpApiEvent, lambdaContext } from '../../support/events.ts';
import type { LocalS3 } from '../../support/s3rver.ts';
import { startS3rver } from '../../support/s3rver.ts';
import { answerEveryOneWithProblems, type FuzzRequest, fuzzedJsonPost } from './fuzzed-post.ts';
import type { HttpHandler, SendHarness } from './send-harness.ts';
import { functionEnvironment, setEnvironment, startSendHarness } from './send-harness.ts';

const RUNS = 5000;
const BUCKET = 'fax-documents';

const notE164 = fc
  .oneof(fc.string(), fc.constantFrom('+1', '+0123456789', '16505550100', '+1650555010x', ''))
  .filter((value) => !E164_PATTERN.test(value));
const wrongType = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);
const unknownKey = fc
  .string({ minLength: 1, maxLength: 12 })
  .filter((key) => !['to', 'text', 'from', 'replyOn', 'documents', '__proto__'].includes(key));

/** A valid body of each route, to be broken by exactly one mutation. */
const VALID: Record<string, Record<string, unknown>> = {
  '/sms': { to: ['+16505550102'], text: 'hello' },
  '/pager': { to: [{ extensionNumber: '102' }], text: 'hello' },
  '/fax': { to: ['+16505550199'], documents: [{ fileName: 'a.txt', content: 'aGVsbG8=' }] },
};
const REQUIRED: Record<string, string[]> = {
  '/sms': ['to', 'text'],
  '/pager': ['to', 'text'],
  '/fax': ['to', 'documents'],
};
const TEXT_LIMIT: Record<string, number> = { '/sms': 1000, '/pager': 1024, '/fax': 1024 };

/** Bodies that differ from a valid one by one fault, so none of them can be valid. */
function brokenBody(path: string): fc.Arbitrary<unknown> {
  const valid = VALID[path]!;
  const textField = path === '/fax' ? 'coverPageText' : 'text';
  const limit = TEXT_LIMIT[path]!;
  return fc.oneof(
    fc.constantFrom(...REQUIRED[path]!).map((field) => {
      const { [field]: _dropped, ...rest } = valid;
      return rest;
    }),
    fc
      .tuple(fc.constantFrom(...Object.keys(valid)), wrongType)
      .map(([field, value]) => ({ ...valid, [field]: value })),
    fc.tuple(unknownKey, fc.jsonValue()).map(([key, value]) => ({ ...valid, [key]: value })),
    fc.constant({ ...valid, to: [] }),
    fc.constant({ ...valid, to: Array.from({ length: 51 }, () => (valid.to as unknown[])[0]) }),
    // Over the limit in UTF-16 units though not in code points: astral characters count twice.
    fc
      .integer({ min: Math.floor(limit / 2) + 1, max: limit })
      .map((count) => ({ ...valid, [textField]: '\u{1F600}'.repeat(count) })),
    fc.constant({ ...valid, [textField]: '' }),
    path === '/pager'
      ? fc
          .string()
          .filter((value) => !/^\d{1,10}$/.test(value))
          .map((number) => ({
            ...valid,
            to: [{ extensionNumber: number }],
          }))
      : notE164.map((number) => ({ ...valid, to: [number] })),
    path === '/fax'
      ? fc.oneof(
          fc.constant({ ...valid, documents: [{ bucket: 'not-allowed', key: 'a.pdf' }] }),
          fc.constant({ ...valid, documents: [{ fileName: 'a.exe', content: 'AAAA' }] }),
          fc.constant({ ...valid, coverIndex: 14 }),
          fc.string().map((content) => ({
            ...valid,
            documents: [{ fileName: 'a.pdf', content: `${content}!` }],
          })),
        )
      : fc.constant({ ...valid, replyOn: 'not-an-id', from: 'nobody' }),
  );
}

/** Requests each invalid by construction: bad body with good headers, or good body with bad headers. */
function fuzzedRequest(path: string): fc.Arbitrary<FuzzRequest> {
  return fuzzedJsonPost(
    brokenBody(path).map((body) => JSON.stringify(body)),
    JSON.stringify(VALID[path]),
  );
}

/**
 * Reads of message statuses, each refused by construction: an id that is not a decimal id, an id
 * nobody sent through this API (so no caller owns it), or a request with a body.
 */
function fuzzedStatusRead(): fc.Arbitrary<{
  messageId: string;
  body: string | undefined;
  headers: Record<string, string>;
}> {
  const notAnId = fc.string().filter((id) => !/^\d{1,20}$/.test(id));
  const unknownId = fc.bigInt({ min: 1n, max: 10n ** 20n - 1n }).map(String);
  return fc.oneof(
    fc.record({
      messageId: fc.oneof(notAnId, unknownId),
      body: fc.constant<string | undefined>(undefined),
      headers: fc.constant<Record<string, string>>({}),
    }),
    fc.record({
      messageId: unknownId,
      body: fc.oneof(
        fc.string({ minLength: 1 }),
        fc.jsonValue().map((value) => JSON.stringify(value)),
      ),
      headers: fc.constantFrom<Record<string, string>>(
        { 'content-type': 'application/json' },
        { 'content-type': 'text/plain' },
        {},
      ),
    }),
  );
}

describe('fuzzing the send functions', () => {
  let harness: SendHarness;
  let s3: LocalS3;
  let restoreEnvironment: () => void;
  const handlers: Record<string, HttpHandler> = {};

  beforeAll(async () => {
    harness = await startSendHarness();
    s3 = await startS3rver();
    await s3.createBucket(BUCKET);
    restoreEnvironment = setEnvironment(
      functionEnvironment(harness, {
        SMS_FROM: '+16505550101',
        FAX_DOCUMENT_BUCKETS: BUCKET,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        LOG_LEVEL: 'WARN',
      }),
    );
    vi.resetModules();
    handlers['/sms'] = (await import('../../../functions/send-sms.ts')).handler;
    handlers['/pager'] = (await import('../../../functions/send-pager.ts')).handler;
    handlers['/fax'] = (await import('../../../functions/send-fax.ts')).handler;
    handlers['/messages'] = (await import('../../../functions/get-message.ts')).handler;
  });

  afterAll(async () => {
    restoreEnvironment?.();
    await harness?.stop();
    await s3?.stop();
  });

  it(`GET /messages/{messageId}: ${RUNS} invalid or foreign reads all get 4xx problem+json and ask RingCentral nothing`, async () => {
    // Prepare
    const handler = handlers['/messages']!;
    const before = harness.emulator.stats().requests;

    // Act
    const statuses = await answerEveryOneWithProblems(
      fuzzedStatusRead(),
      (request) => {
        const event = httpApiEvent({
          method: 'GET',
          path: `/messages/${encodeURIComponent(request.messageId)}`,
          headers: request.headers,
          ...(request.body === undefined ? {} : { body: request.body }),
          iamCaller: 'arn:aws:sts::123456789012:assumed-role/caller/session',
        });
        event.pathParameters = { messageId: request.messageId };
        return handler(event, lambdaContext());
      },
      RUNS,
    );

    // Assess
    expect(harness.emulator.stats().requests).toBe(before);
    expect(statuses.has(400) && statuses.has(404)).toBe(true);
  });

  for (const path of ['/sms', '/pager', '/fax']) {
    it(`POST ${path}: ${RUNS} invalid requests all get 4xx problem+json and send nothing`, async () => {
      // Prepare
      const handler = handlers[path]!;
      const before = harness.emulator.stats().requests;

      // Act
      const statuses = await answerEveryOneWithProblems(
        fuzzedRequest(path),
        (request) =>
          handler(
            httpApiEvent({
              path,
              headers: Object.fromEntries(
                Object.entries(request.headers).filter(([, value]) => value !== undefined),
              ),
              ...(request.body === undefined ? {} : { body: request.body }),
              isBase64Encoded: request.isBase64Encoded,
              iamCaller: 'arn:aws:iam::123456789012:user/caller',
            }),
            lambdaContext(),
          ),
        RUNS,
      );

      // Assess
      expect(harness.emulator.stats().requests).toBe(before);
      expect([...statuses.values()].reduce((sum, count) => sum + count, 0)).toBe(RUNS);
      expect(statuses.has(400) && statuses.has(415)).toBe(true);
    });
  }
});
