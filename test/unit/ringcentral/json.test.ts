import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createRingCentral, staticTokenSource } from '../../../lib/ringcentral/index.ts';
import {
  JsonInteger,
  parseJson,
  parseJsonBySource,
  stringifyJson,
} from '../../../lib/ringcentral/json.ts';
import type { TestServer } from './support/http-server.ts';
import { startServer } from './support/http-server.ts';

/** Node 24's JSON.rawJSON, not yet in TypeScript's lib. */
const rawJson = (JSON as unknown as { rawJSON: (text: string) => unknown }).rawJSON;

const BIG_CONVERSATION_ID = '9182736450918273645';

describe('ids stay exact strings', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('parses a 19-digit conversationId without losing a digit', () => {
    // Prepare
    const text = `{"id":123,"conversationId":${BIG_CONVERSATION_ID},"size":42,"newMessageIds":[7,${BIG_CONVERSATION_ID}]}`;

    // Act
    const parsed = parseJson(text) as Record<string, unknown>;

    // Assess
    expect(Number(BIG_CONVERSATION_ID).toString()).not.toBe(BIG_CONVERSATION_ID);
    expect(parsed.conversationId).toBe(BIG_CONVERSATION_ID);
    expect(parsed.id).toBe('123');
    expect(parsed.size).toBe(42);
    expect(parsed.newMessageIds).toEqual(['7', BIG_CONVERSATION_ID]);
  });

  it('writes an int64 id as the exact JSON number', () => {
    // Act
    const text = stringifyJson({ replyOn: new JsonInteger(BIG_CONVERSATION_ID), text: 'hi' });

    // Assess
    expect(text).toBe(`{"replyOn":${BIG_CONVERSATION_ID},"text":"hi"}`);
  });

  it('round-trips a big conversation id from a response into a request over HTTP', async () => {
    // Prepare
    server = await startServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      if (request.method === 'GET') {
        response.end(
          `{"id":${BIG_CONVERSATION_ID},"conversationId":${BIG_CONVERSATION_ID},"conversation":{"id":"${BIG_CONVERSATION_ID}"}}`,
        );
      } else {
        response.end('{"id":1}');
      }
    });
    const rc = createRingCentral({ server: server.url, tokenSource: staticTokenSource('t') });

    // Act
    const record = await rc.messages.get('1');
    await rc.pager.send({ text: 'reply', replyOn: record.conversationId! });

    // Assess
    expect(record.id).toBe(BIG_CONVERSATION_ID);
    expect(record.conversationId).toBe(BIG_CONVERSATION_ID);
    const sent = server.requests[1]!.body.toString();
    expect(sent).toContain(`"replyOn":${BIG_CONVERSATION_ID}`);
  });
});

describe('parseJson fast path', () => {
  it('gives what the exact source-text parse gives, for any JSON', () => {
    // Prepare: short integers (the fast path), big ones and fractions (the exact path) anywhere.
    const number = fc.oneof(
      fc.integer({ min: -1_000_000, max: 1_000_000 }),
      fc.maxSafeInteger(),
      fc
        .bigInt({ min: -(10n ** 20n), max: 10n ** 20n })
        .map((big) => new JsonInteger(big.toString())),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    );
    const key = fc.oneof(
      fc.constantFrom('id', 'replyOn', 'conversationId', 'size', 'text'),
      fc.string(),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small' },
        number,
        fc.oneof(fc.string(), fc.stringMatching(/^[\\"0-9:,.eE-]{0,40}$/)),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('tree')),
        fc.dictionary(key, tie('tree')),
      ),
    }));

    // Act / Assess
    fc.assert(
      fc.property(tree, fc.constantFrom(0, 2), (value, indent) => {
        const text = JSON.stringify(
          value,
          (_key, current) => (current instanceof JsonInteger ? rawJson(current.digits) : current),
          indent,
        );
        expect(parseJson(text)).toStrictEqual(parseJsonBySource(text));
      }),
      { numRuns: 2_000 },
    );
  });
});
