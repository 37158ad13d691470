import { afterEach, describe, expect, it } from 'vitest';
import { createRingCentral, staticTokenSource } from '../../../lib/ringcentral/index.ts';
import { JsonInteger, parseJson, stringifyJson } from '../../../lib/ringcentral/json.ts';
import type { TestServer } from './support/http-server.ts';
import { startServer } from './support/http-server.ts';

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
