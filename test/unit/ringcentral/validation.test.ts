import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RingCentral } from '../../../lib/ringcentral/index.ts';
import {
  createRingCentral,
  InvalidInputError,
  staticTokenSource,
} from '../../../lib/ringcentral/index.ts';
import type { TestServer } from './support/http-server.ts';
import { sendJson, startServer } from './support/http-server.ts';

describe('bad input fails before any request is sent', () => {
  let server: TestServer;
  let rc: RingCentral;
  beforeAll(async () => {
    server = await startServer((_request, response) => sendJson(response, 200, { id: '1' }));
    rc = createRingCentral({ server: server.url, tokenSource: staticTokenSource('token') });
  });
  afterAll(() => server.close());

  it('refuses a delete without ids, at compile time and at run time', async () => {
    // Prepare
    const noIds: string[] = [];

    // Act
    // @ts-expect-error an empty list is not a NonEmptyArray: the type forbids deleting without ids
    const attempt = rc.messages.delete(noIds);
    // @ts-expect-error no argument at all is refused as well
    const bare = rc.messages.delete();

    // Assess
    await expect(attempt).rejects.toThrow(InvalidInputError);
    await expect(attempt).rejects.toThrow(/non-empty array of message ids/);
    await expect(bare).rejects.toThrow(InvalidInputError);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses deleting conversations without conversation ids', async () => {
    // Act
    // @ts-expect-error conversationIds are required
    const attempt = rc.messages.deleteConversations({ type: 'SMS' });

    // Assess
    await expect(attempt).rejects.toThrow(InvalidInputError);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses SMS text over 1000 UTF-16 units, counting an emoji as two', async () => {
    // Prepare: 999 units of text plus one emoji (two UTF-16 units) = 1001 units, 1000 code points
    const text = `${'a'.repeat(999)}😀`;

    // Act
    const attempt = rc.sms.send({ from: '+16505550100', to: ['+16505550101'], text });

    // Assess
    expect([...text]).toHaveLength(1000);
    await expect(attempt).rejects.toThrow(InvalidInputError);
    await expect(attempt).rejects.toThrow(/1001 UTF-16 units/);
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ['no plus sign', '16505550100'],
    ['letters', '+1650CALLME'],
    ['leading zero country code', '+06505550100'],
    ['too long', '+1234567890123456'],
    ['shorter than RingCentral accepts', '+123456'],
  ])('refuses a number that is not E.164 (%s)', async (_label, number) => {
    // Act
    const sms = rc.sms.send({ from: '+16505550100', to: [number], text: 'hello' });
    const fax = rc.fax.send({
      to: [number],
      attachments: [
        { fileName: 'a.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF') },
      ],
    });

    // Assess
    await expect(sms).rejects.toThrow(/E\.164/);
    await expect(fax).rejects.toThrow(InvalidInputError);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses perPage above 1000 and ids that are not decimal strings', async () => {
    // Act
    const pages = rc.messages.list({ perPage: 1001 })[Symbol.asyncIterator]().next();
    const get = rc.messages.get('12; DROP');

    // Assess
    await expect(pages).rejects.toThrow(/perPage/);
    await expect(get).rejects.toThrow(InvalidInputError);
    expect(server.requests).toHaveLength(0);
  });

  it('sends a valid SMS once the input is right', async () => {
    // Act
    const sent = await rc.sms.send({
      from: '+16505550100',
      to: ['+16505550101'],
      text: `${'a'.repeat(998)}😀`,
    });

    // Assess
    expect(sent.id).toBe('1');
    expect(server.requests).toHaveLength(1);
    expect(JSON.parse(server.requests[0]!.body.toString())).toEqual({
      from: { phoneNumber: '+16505550100' },
      to: [{ phoneNumber: '+16505550101' }],
      text: `${'a'.repeat(998)}😀`,
    });
  });
});
