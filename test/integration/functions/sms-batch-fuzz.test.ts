/**
 * Fuzzing the high-volume SMS routes as the other routes are fuzzed: thousands of malformed
 * batches and batch reads, each invalid by construction, must all get a 4xx
 * application/problem+json answer and never reach RingCentral. Handlers are called directly with
 * real API Gateway v2 events to keep it fast.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { E164_PATTERN } from '../../../lib/ringcentral/validation.ts';
import { httpApiEvent, lambdaContext } from '../../support/events.ts';
import { answerEveryOneWithProblems, fuzzedJsonPost } from './fuzzed-post.ts';
import type { HttpHandler, SendHarness } from './send-harness.ts';
import { functionEnvironment, setEnvironment, startSendHarness } from './send-harness.ts';

const RUNS = 5000;
const CALLER = 'arn:aws:sts::123456789012:assumed-role/notifications/session';
const VALID = { text: 'hello', recipients: [{ to: '+14155550100' }] };
/** One recipient over the limit, built once: generating 10,001 per run would dominate the run. */
const TOO_MANY = JSON.stringify({
  text: 'hello',
  recipients: Array.from({ length: 10_001 }, () => ({ to: '+14155550100' })),
});

const notE164 = fc
  .oneof(fc.string(), fc.constantFrom('+1', '+0123456789', '14155550100', '+1415555010x', ''))
  .filter((value) => !E164_PATTERN.test(value));
const wrongType = fc.oneof(
  fc.integer(),
  fc.constant(9007199254740993n).map((big) => JSON.parse(big.toString()) as number),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);
const unknownKey = (known: string[]) =>
  fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((key) => ![...known, '__proto__'].includes(key));
const overLimit = fc.integer({ min: 501, max: 1000 }).map((count) => '\u{1F600}'.repeat(count));

/** Bodies that differ from a valid batch by one fault, so none of them can be valid. */
function brokenBatch(): fc.Arbitrary<string> {
  const recipient = VALID.recipients[0]!;
  const bodies = fc.oneof(
    fc.constant({ text: VALID.text }),
    fc.constant({ recipients: VALID.recipients }),
    fc
      .tuple(fc.constantFrom('text', 'recipients', 'from'), wrongType)
      .map(([field, value]) => ({ ...VALID, [field]: value })),
    fc
      .tuple(unknownKey(['text', 'recipients', 'from']), fc.jsonValue())
      .map(([key, value]) => ({ ...VALID, [key]: value })),
    fc.constant({ ...VALID, recipients: [] }),
    overLimit.map((text) => ({ ...VALID, text })),
    overLimit.map((text) => ({ recipients: [{ ...recipient, text }] })),
    fc.constant({ ...VALID, text: '' }),
    notE164.map((to) => ({ ...VALID, recipients: [{ to }] })),
    notE164.map((from) => ({ ...VALID, from })),
    fc
      .tuple(fc.constantFrom('to', 'text'), wrongType)
      .map(([field, value]) => ({ ...VALID, recipients: [{ ...recipient, [field]: value }] })),
    fc
      .tuple(unknownKey(['to', 'text']), fc.jsonValue())
      .map(([key, value]) => ({ ...VALID, recipients: [{ ...recipient, [key]: value }] })),
    wrongType.map((value) => ({ ...VALID, recipients: [value] })),
  );
  return fc.oneof(
    { arbitrary: bodies.map((body) => JSON.stringify(body)), weight: 30 },
    { arbitrary: fc.constant(TOO_MANY), weight: 1 },
  );
}

/** Batch requests each invalid by construction: a bad body, or a good body with bad headers. */
function fuzzedBatchRequest() {
  return fuzzedJsonPost(brokenBatch(), JSON.stringify(VALID));
}

/**
 * Reads each refused by construction: an id that is no batch id, a well-formed id nobody sent
 * through this API, a bad page query, or a body.
 */
function fuzzedBatchRead() {
  const notAnId = fc.string().filter((id) => !/^[A-Za-z0-9_-]{1,100}$/.test(id));
  const unknownId = fc.stringMatching(/^[A-Za-z0-9_-]{1,100}$/);
  const badQuery = fc.oneof(
    fc.constantFrom('0', '1001', '-1', '1.5', 'ten', '', '00000').map((perPage) => ({ perPage })),
    fc
      .string()
      .filter((token) => !/^[\x21-\x7e]{1,1024}$/.test(token))
      .map((pageToken) => ({
        pageToken,
      })),
    fc
      .tuple(unknownKey(['perPage', 'pageToken']), fc.string())
      .map(([key, value]) => ({ [key]: value })),
  );
  const noQuery = fc.constant<Record<string, string>>({});
  const noBody = fc.constant<string | undefined>(undefined);
  // A well-formed unknown id costs a ledger read (dynalite): few of them keep the run fast.
  return fc.oneof(
    { arbitrary: fc.record({ batchId: notAnId, query: noQuery, body: noBody }), weight: 16 },
    { arbitrary: fc.record({ batchId: unknownId, query: noQuery, body: noBody }), weight: 1 },
    { arbitrary: fc.record({ batchId: unknownId, query: badQuery, body: noBody }), weight: 16 },
    {
      arbitrary: fc.record({
        batchId: unknownId,
        query: noQuery,
        body: fc.oneof(
          fc.string({ minLength: 1 }),
          fc.jsonValue().map((value) => JSON.stringify(value)),
        ),
      }),
      weight: 16,
    },
  );
}

describe('fuzzing the high-volume SMS routes', () => {
  let harness: SendHarness;
  let restoreEnvironment: () => void;
  let send: HttpHandler;
  let read: HttpHandler;

  beforeAll(async () => {
    harness = await startSendHarness();
    harness.emulator.enableA2pSender('+16505550101');
    restoreEnvironment = setEnvironment(
      functionEnvironment(harness, { SMS_FROM: '+16505550101', LOG_LEVEL: 'WARN' }),
    );
    vi.resetModules();
    send = (await import('../../../functions/send-sms-batch.ts')).handler;
    read = (await import('../../../functions/get-sms-batch.ts')).handler;
  });

  afterAll(async () => {
    restoreEnvironment?.();
    await harness?.stop();
  });

  it(`POST /sms/batches: ${RUNS} invalid requests all get 4xx problem+json and send nothing`, async () => {
    // Prepare
    const before = harness.emulator.stats().requests;

    // Act
    const statuses = await answerEveryOneWithProblems(
      fuzzedBatchRequest(),
      (request) =>
        send(
          httpApiEvent({
            path: '/sms/batches',
            headers: request.headers,
            body: request.body,
            isBase64Encoded: request.isBase64Encoded,
            iamCaller: CALLER,
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

  it(`GET /sms/batches/{batchId}: ${RUNS} invalid or foreign reads all get 4xx problem+json and ask RingCentral nothing`, async () => {
    // Prepare
    const before = harness.emulator.stats().requests;

    // Act
    const statuses = await answerEveryOneWithProblems(
      fuzzedBatchRead(),
      (request) => {
        const search = new URLSearchParams(request.query).toString();
        const event = httpApiEvent({
          method: 'GET',
          path: `/sms/batches/${encodeURIComponent(request.batchId)}${search ? `?${search}` : ''}`,
          ...(request.body === undefined ? {} : { body: request.body }),
          iamCaller: CALLER,
        });
        event.pathParameters = { batchId: request.batchId };
        if (search) event.queryStringParameters = request.query;
        return read(event, lambdaContext());
      },
      RUNS,
    );

    // Assess
    expect(harness.emulator.stats().requests).toBe(before);
    expect(statuses.has(400) && statuses.has(404)).toBe(true);
  });
});
