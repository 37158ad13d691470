import { afterEach, describe, expect, it } from 'vitest';
import type { NonEmptyArray } from '../../../lib/ringcentral/index.ts';
import {
  createRingCentral,
  NotFoundError,
  staticTokenSource,
} from '../../../lib/ringcentral/index.ts';
import type { TestServer } from './support/http-server.ts';
import { sendJson, startServer } from './support/http-server.ts';

const STORE = '/restapi/v1.0/account/~/extension/~/message-store';

function idsOf(path: string): string[] {
  return (path.slice(STORE.length + 1) || '').split(',').filter(Boolean);
}

function range(from: number, count: number): NonEmptyArray<string> {
  return Array.from({ length: count }, (_, index) =>
    String(from + index),
  ) as unknown as NonEmptyArray<string>;
}

/**
 * A client of the test server. The server sends no X-Rate-Limit headers; without a known budget
 * the client spaces its claims (W / 2L apart), which is pacing's subject, not this file's.
 */
function clientOf(server: TestServer) {
  const budget = { limit: 1_000, windowMs: 60_000 };
  return createRingCentral({
    server: server.url,
    tokenSource: staticTokenSource('t'),
    limits: { groups: { Light: budget, Medium: budget, Heavy: budget } },
  });
}

describe('bulk operations', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('deletes 120 ids in exactly 3 requests of at most 50', async () => {
    // Prepare
    server = await startServer((_request, response) => {
      response.writeHead(204);
      response.end();
    });
    const rc = clientOf(server);
    const ids = range(1000, 120);

    // Act
    const results = await rc.messages.delete(ids, { purge: true });

    // Assess
    expect(server.requests).toHaveLength(3);
    const sentIds = server.requests.map((request) => idsOf(request.path));
    expect(sentIds.map((chunk) => chunk.length)).toEqual([50, 50, 20]);
    expect(sentIds.flat()).toEqual([...ids]);
    expect(
      server.requests.every(
        (request) => request.method === 'DELETE' && request.query.get('purge') === 'true',
      ),
    ).toBe(true);
    expect(results.map((result) => result.id)).toEqual([...ids]);
    expect(results.every((result) => result.ok && result.status === 204)).toBe(true);
  });

  it('turns a multipart+json 207 with mixed outcomes into per-id results', async () => {
    // Prepare
    server = await startServer((request, response) => {
      const entries = idsOf(request.path).map((id) =>
        Number(id) % 3 === 0
          ? {
              resourceId: id,
              status: 404,
              body: { errors: [{ errorCode: 'CMN-102', message: `Resource ${id} not found` }] },
            }
          : { resourceId: id, status: 200, body: { id: Number(id), readStatus: 'Read' } },
      );
      sendJson(response, 207, entries, {
        'content-type': 'application/vnd.ringcentral.multipart+json',
      });
    });
    const rc = clientOf(server);
    const ids = range(1, 60);

    // Act
    const results = await rc.messages.update(ids, { readStatus: 'Read' });

    // Assess
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]!.headers['content-type']).toBe(
      'application/vnd.ringcentral.multipart+json',
    );
    expect(JSON.parse(server.requests[0]!.body.toString())[0]).toEqual({
      resourceId: '1',
      body: { readStatus: 'Read' },
    });
    expect(results).toHaveLength(60);
    for (const result of results) {
      if (Number(result.id) % 3 === 0) {
        expect(result.ok).toBe(false);
        expect(result.status).toBe(404);
        expect(!result.ok && result.error).toBeInstanceOf(NotFoundError);
        expect(!result.ok && result.error.errorCode).toBe('CMN-102');
      } else {
        expect(result.ok).toBe(true);
        expect(result.ok && result.body?.id).toBe(result.id);
      }
    }
  });

  it('turns a multipart/mixed 207 with mixed outcomes into per-id results', async () => {
    // Prepare
    const boundary = 'Boundary_1_2_3';
    server = await startServer((request, response) => {
      const ids = idsOf(request.path);
      const statuses = ids.map((id) => (id === '12' ? 404 : 200));
      const summary = {
        response: ids.map((id, index) => ({
          href: `http://127.0.0.1/restapi/v1.0/account/400/extension/101001/message-store/${id}`,
          status: statuses[index],
          responseDescription: statuses[index] === 200 ? 'OK' : 'Not Found',
        })),
      };
      const parts = [
        JSON.stringify(summary),
        ...ids.map((id, index) =>
          statuses[index] === 200
            ? JSON.stringify({ id: Number(id), conversationId: 9182736450918273645n.toString() })
            : JSON.stringify({ errors: [{ errorCode: 'CMN-102', message: 'not found' }] }),
        ),
      ];
      const body = `${parts.map((part) => `--${boundary}\r\nContent-Type: application/json\r\n\r\n${part}\r\n`).join('')}--${boundary}--\r\n`;
      response.writeHead(207, { 'content-type': `multipart/mixed; boundary=${boundary}` });
      response.end(body);
    });
    const rc = clientOf(server);

    // Act
    const results = await rc.messages.getMany(['11', '12', '13']);

    // Assess
    expect(server.requests).toHaveLength(1);
    expect(results.map((result) => [result.id, result.ok, result.status])).toEqual([
      ['11', true, 200],
      ['12', false, 404],
      ['13', true, 200],
    ]);
    const first = results[0]!;
    expect(first.ok && first.body?.id).toBe('11');
  });

  it('reports a chunk the server refused as one error per id and goes on with the next chunk', async () => {
    // Prepare
    let call = 0;
    server = await startServer((_request, response) => {
      call += 1;
      if (call === 1) {
        sendJson(response, 400, { errors: [{ errorCode: 'CMN-106', message: 'too many ids' }] });
        return;
      }
      response.writeHead(204);
      response.end();
    });
    const rc = clientOf(server);

    // Act
    const results = await rc.messages.delete(range(1, 55));

    // Assess
    expect(server.requests).toHaveLength(2);
    expect(results.filter((result) => !result.ok)).toHaveLength(50);
    expect(
      results
        .filter((result) => !result.ok)
        .every((result) => !result.ok && result.error.errorCode === 'CMN-106'),
    ).toBe(true);
    expect(results.filter((result) => result.ok).map((result) => result.id)).toEqual([
      '51',
      '52',
      '53',
      '54',
      '55',
    ]);
  });
});
