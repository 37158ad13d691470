/**
 * Our API's bodies are typed strictly: a JSON number where a string is required is refused with
 * 400 problem+json before any request reaches RingCentral, on every send route and for every
 * string field. (The client's exact-id parser once turned such integers into digit strings, so
 * `"text": 9007199254740993` was sent as the text and a 20-digit `content` went out as a fax.)
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { problemResponse } from '../../../lib/api/responses.ts';
import type { HttpHandler, SendHarness } from './send-harness.ts';
import {
  functionEnvironment,
  newKey,
  post,
  setEnvironment,
  startSendHarness,
} from './send-harness.ts';

const BUCKET = 'fax-documents';
/** Beyond 2^53: the exact-id parser kept its digits as a string. */
const UNSAFE = 9007199254740993n;
/** A safe integer: the exact-id parser made a string of it only under id keys and in arrays. */
const SAFE = 102;

/** One field given as a number, in an otherwise valid body of a route. */
interface NumberCase {
  route: '/sms' | '/pager' | '/fax';
  /** The field as the problem names it, split into its path segments. */
  path: (string | number)[];
  body: Record<string, unknown>;
  number: bigint | number;
}

const SMS = { to: ['+16505550102'], text: 'hello' };
const PAGER = { to: [{ extensionNumber: '102' }], text: 'hello' };
const INLINE = { fileName: 'a.txt', content: 'aGVsbG8=' };
const FAX = { to: ['+16505550199'], documents: [INLINE] };

const CASES: NumberCase[] = [
  { route: '/sms', path: ['text'], body: SMS, number: UNSAFE },
  { route: '/sms', path: ['text'], body: SMS, number: SAFE },
  { route: '/sms', path: ['to', 0], body: SMS, number: 15551026932 },
  { route: '/sms', path: ['from'], body: SMS, number: 16505550101 },
  { route: '/sms', path: ['correlationId'], body: SMS, number: SAFE },
  { route: '/pager', path: ['correlationId'], body: PAGER, number: UNSAFE },
  { route: '/fax', path: ['correlationId'], body: FAX, number: SAFE },
  { route: '/pager', path: ['text'], body: PAGER, number: UNSAFE },
  { route: '/pager', path: ['replyOn'], body: PAGER, number: SAFE },
  { route: '/pager', path: ['replyOn'], body: PAGER, number: UNSAFE },
  { route: '/pager', path: ['to', 0, 'extensionId'], body: PAGER, number: SAFE },
  { route: '/pager', path: ['to', 0, 'extensionId'], body: PAGER, number: UNSAFE },
  { route: '/pager', path: ['to', 0, 'extensionNumber'], body: PAGER, number: SAFE },
  { route: '/fax', path: ['coverPageText'], body: FAX, number: UNSAFE },
  { route: '/fax', path: ['to', 0], body: FAX, number: 16505550199 },
  { route: '/fax', path: ['documents', 0, 'content'], body: FAX, number: 12345678901234567890n },
  { route: '/fax', path: ['documents', 0, 'fileName'], body: FAX, number: SAFE },
  { route: '/fax', path: ['isoCode'], body: FAX, number: SAFE },
  { route: '/fax', path: ['sendTime'], body: FAX, number: 1767225600000 },
  {
    route: '/fax',
    path: ['documents', 0, 'key'],
    body: { ...FAX, documents: [{ bucket: BUCKET, key: 'a.pdf' }] },
    number: UNSAFE,
  },
];

/** The body with the field at `path` replaced by a placeholder for the number. */
function withPlaceholder(body: unknown, path: (string | number)[]): unknown {
  if (path.length === 0) return '@@NUMBER@@';
  const [head, ...rest] = path;
  const copy = (Array.isArray(body) ? [...body] : { ...(body as object) }) as Record<
    string | number,
    unknown
  >;
  copy[head as string] = withPlaceholder(copy[head as string], rest);
  return copy;
}

/** The body as JSON text with a JSON number (bigints exactly, as a caller's serialiser writes them). */
function bodyText(testCase: NumberCase): string {
  return JSON.stringify(withPlaceholder(testCase.body, testCase.path)).replace(
    '"@@NUMBER@@"',
    String(testCase.number),
  );
}

/**
 * True when the problem's field is the path, or leads to it: a union (a pager recipient, a fax
 * document) may be reported at the item that matched none of its shapes. Either notation,
 * `to.0.extensionId` or `to[0].extensionId`.
 */
function namesField(field: string, path: (string | number)[]): boolean {
  const segments = field.split(/[.[\]]+/).filter((segment) => segment !== '');
  return (
    segments.length > 0 &&
    segments.length <= path.length &&
    segments.every((segment, index) => segment === String(path[index]))
  );
}

describe('strict request bodies: a number is not a string', () => {
  let harness: SendHarness;
  let restoreEnvironment: () => void;
  const handlers: Record<string, HttpHandler> = {};

  beforeAll(async () => {
    harness = await startSendHarness();
    restoreEnvironment = setEnvironment(
      functionEnvironment(harness, {
        SMS_FROM: '+16505550101',
        FAX_DOCUMENT_BUCKETS: BUCKET,
        LOG_LEVEL: 'WARN',
      }),
    );
    vi.resetModules();
    handlers['/sms'] = (await import('../../../functions/send-sms.ts')).handler;
    handlers['/pager'] = (await import('../../../functions/send-pager.ts')).handler;
    handlers['/fax'] = (await import('../../../functions/send-fax.ts')).handler;
  });

  afterAll(async () => {
    restoreEnvironment?.();
    await harness?.stop();
  });

  for (const testCase of CASES) {
    const field = testCase.path.join('.');
    it(`POST ${testCase.route}: ${field} = ${testCase.number} -> 400 problem+json, nothing sent`, async () => {
      // Prepare
      const before = harness.emulator.stats().requests;

      // Act
      const result = await post(handlers[testCase.route]!, testCase.route, bodyText(testCase), {
        key: newKey(),
      });

      // Assess
      expect(result.status).toBe(400);
      expect(result.headers['content-type']).toBe('application/problem+json');
      const problem = problemResponse.parse(result.body);
      const fields = (problem.errors ?? []).map((error) => error.field);
      const named = fields.some((name) => namesField(name, testCase.path));
      expect(named, `errors name ${field}: ${JSON.stringify(fields)}`).toBe(true);
      expect(harness.emulator.stats().requests).toBe(before);
    });
  }

  it('still accepts the same bodies with strings, so each refusal above is the number alone', async () => {
    // Prepare
    const before = harness.emulator.stats().sent;

    // Act
    const sms = await post(handlers['/sms']!, '/sms', SMS, { key: newKey() });
    const pager = await post(handlers['/pager']!, '/pager', PAGER, { key: newKey() });
    const fax = await post(handlers['/fax']!, '/fax', FAX, { key: newKey() });

    // Assess
    expect([sms.status, pager.status, fax.status]).toEqual([202, 202, 202]);
    const after = harness.emulator.stats().sent;
    expect(after.sms - before.sms).toBe(1);
    expect(after.pager - before.pager).toBe(1);
    expect(after.fax - before.fax).toBe(1);
  });
});
