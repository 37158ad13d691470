/**
 * The extensions API against a real HTTP server on 127.0.0.1 that answers like RingCentral;
 * every request and response is checked against RingCentral's OpenAPI spec.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimitGroup, RingCentral } from '../../../lib/ringcentral/index.ts';
import {
  createRingCentral,
  InsufficientPermissionsError,
  InvalidInputError,
  NotFoundError,
  staticTokenSource,
} from '../../../lib/ringcentral/index.ts';
import { loadRingCentralContract } from '../../support/contract-deviations.ts';
import type { Contract, Exchange } from '../../support/openapi-contract.ts';
import type { SeenRequest, TestServer } from './support/http-server.ts';
import { startServer } from './support/http-server.ts';

const LIST = '/restapi/v1.0/account/~/extension';
/** Beyond 2^53: a JavaScript number would round it. */
const BIG_ID = '9007199254740993';

/** A list record as RingCentral writes it: the id a bare int64 number. */
function wireRecord(id: string, type: string, status: string): string {
  return `{"id":${id},"uri":"https://platform.example.com${LIST}/${id}","extensionNumber":"${id.slice(-3)}","name":"Ext ${id}","type":"${type}","status":"${status}"}`;
}

/** A page body with paging and navigation as RingCentral sends them. */
function wirePage(records: string[], page: number, perPage: number, total: number): string {
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const link = (number: number) => `{"uri":"https://platform.example.com${LIST}?page=${number}"}`;
  const navigation = [`"firstPage":${link(1)}`, `"lastPage":${link(totalPages)}`];
  if (page < totalPages) navigation.push(`"nextPage":${link(page + 1)}`);
  const start = (page - 1) * perPage;
  const paging =
    records.length > 0
      ? `{"page":${page},"perPage":${perPage},"pageStart":${start},"pageEnd":${start + records.length - 1},"totalPages":${totalPages},"totalElements":${total}}`
      : `{"page":${page},"perPage":${perPage},"totalPages":${totalPages},"totalElements":${total}}`;
  return `{"uri":"https://platform.example.com${LIST}","records":[${records.join(',')}],"paging":${paging},"navigation":{${navigation.join(',')}}}`;
}

interface Recorded {
  server: TestServer;
  exchanges: Exchange[];
  groups: RateLimitGroup[];
  rc: RingCentral;
}

/** Starts a server answering `answer(request)` and a client on it, recording every exchange. */
async function serve(
  answer: (request: SeenRequest) => { status: number; body: string },
): Promise<Recorded> {
  const exchanges: Exchange[] = [];
  const groups: RateLimitGroup[] = [];
  const server = await startServer((request, response) => {
    const { status, body } = answer(request);
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(body);
    exchanges.push({
      method: request.method,
      path: request.path,
      query: request.query.toString(),
      requestHeaders: Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
      ),
      status,
      responseHeaders: { 'content-type': 'application/json' },
      responseBody: Buffer.from(body),
    });
  });
  const rc = createRingCentral({
    server: server.url,
    tokenSource: staticTokenSource('t'),
    hooks: { onRequest: (info) => groups.push(info.group) },
    // This server sends no X-Rate-Limit headers; without a known budget the client spaces its
    // Medium claims 750 ms apart, which is pacing's subject, not this file's.
    limits: { groups: { Medium: { limit: 1_000, windowMs: 60_000 } } },
  });
  return { server, exchanges, groups, rc };
}

describe('the extensions API', () => {
  let contract: Contract;
  let recorded: Recorded | undefined;

  beforeAll(async () => {
    // The spec declares no error statuses for these operations; errors must still be RingCentral's body.
    contract = await loadRingCentralContract({ acceptUndeclaredErrors: true });
  });

  afterEach(async () => {
    const current = recorded;
    recorded = undefined;
    await current?.server.close();
    if (!current) return;
    // Assess (every exchange of the test against the spec)
    const problems = current.exchanges.flatMap((exchange) =>
      contract.validateExchange(exchange).map((problem) => `${exchange.path}: ${problem}`),
    );
    expect(problems).toEqual([]);
  });

  it('walks every page, one Medium request each, sending the filters as the spec names them', async () => {
    // Prepare
    const all = [BIG_ID, '101001', '101002', '101003', '101004'];
    recorded = await serve((request) => {
      const page = Number(request.query.get('page'));
      const perPage = Number(request.query.get('perPage'));
      const slice = all.slice((page - 1) * perPage, page * perPage);
      return {
        status: 200,
        body: wirePage(
          slice.map((id) => wireRecord(id, 'User', 'Enabled')),
          page,
          perPage,
          all.length,
        ),
      };
    });

    // Act
    const pages = [];
    for await (const page of recorded.rc.extensions.pages({
      perPage: 2,
      status: ['Enabled', 'Disabled', 'Frozen'],
      type: ['User', 'FaxUser', 'Department'],
    })) {
      pages.push(page.records.map((record) => record.id));
    }

    // Assess
    expect(pages).toEqual([[BIG_ID, '101001'], ['101002', '101003'], ['101004']]);
    expect(recorded.groups).toEqual(['Medium', 'Medium', 'Medium']);
    const group = contract.matchOperation('GET', LIST)?.group;
    expect(group).toBe('Medium');
    const first = recorded.server.requests[0]!;
    expect(first.query.getAll('status')).toEqual(['Enabled', 'Disabled', 'Frozen']);
    expect(first.query.getAll('type')).toEqual(['User', 'FaxUser', 'Department']);
    expect(recorded.server.requests.map((request) => request.query.get('page'))).toEqual([
      '1',
      '2',
      '3',
    ]);
  });

  it('lists every record once when an extension shifts across a page boundary', async () => {
    // Prepare: between the two reads an extension is created in front, pushing 101002 onto page 2.
    recorded = await serve((request) => {
      const page = Number(request.query.get('page'));
      const ids = page === 1 ? ['101001', '101002'] : ['101002', '101003'];
      return {
        status: 200,
        body: wirePage(
          ids.map((id) => wireRecord(id, 'User', 'Enabled')),
          page,
          2,
          4,
        ),
      };
    });

    // Act
    const records = await recorded.rc.extensions.list({ perPage: 2 });

    // Assess
    expect(records.map((record) => record.id)).toEqual(['101001', '101002', '101003']);
    expect(recorded.server.requests).toHaveLength(2);
  });

  it('stops on an empty page even when a next-page link is present', async () => {
    // Prepare
    recorded = await serve((request) => {
      const page = Number(request.query.get('page') ?? '1');
      const body =
        page === 1
          ? wirePage([wireRecord('101001', 'IvrMenu', 'Enabled')], 1, 1, 3)
          : wirePage([], page, 1, 3).replace(
              '"navigation":{',
              `"navigation":{"nextPage":{"uri":"https://platform.example.com${LIST}?page=9"},`,
            );
      return { status: 200, body };
    });

    // Act
    const records = await recorded.rc.extensions.list({ perPage: 1, type: ['IvrMenu'] });

    // Assess
    expect(records.map((record) => [record.id, record.type])).toEqual([['101001', 'IvrMenu']]);
    expect(recorded.server.requests).toHaveLength(2);
  });

  it('reads one extension in the Light group, keeping its id exact', async () => {
    // Prepare
    recorded = await serve(() => ({
      status: 200,
      body: `{"id":${BIG_ID},"uri":"https://platform.example.com${LIST}/${BIG_ID}","extensionNumber":"205","name":"Support","type":"Department","status":"Disabled","statusInfo":{"reason":"Voluntarily"},"account":{"id":"400131880008"}}`,
    }));

    // Act
    const extension = await recorded.rc.extensions.get(BIG_ID);

    // Assess
    expect(extension).toMatchObject({ id: BIG_ID, type: 'Department', status: 'Disabled' });
    expect(recorded.server.requests[0]?.path).toBe(`${LIST}/${BIG_ID}`);
    expect(recorded.groups).toEqual(['Light']);
    expect(contract.matchOperation('GET', `${LIST}/${BIG_ID}`)?.group).toBe('Light');
  });

  it('maps 403 CMN-408 to InsufficientPermissionsError naming the permission, and 404 to NotFoundError', async () => {
    // Prepare
    const message =
      'In order to call this API endpoint, user needs to have [ReadExtensions] permission for requested resource.';
    recorded = await serve((request) =>
      request.path.endsWith('/101002')
        ? {
            status: 403,
            body: JSON.stringify({
              errorCode: 'CMN-408',
              message,
              errors: [{ errorCode: 'CMN-408', message, permissionName: 'ReadExtensions' }],
              permissionName: 'ReadExtensions',
            }),
          }
        : {
            status: 404,
            body: JSON.stringify({
              errorCode: 'CMN-102',
              message: 'Resource for parameter [extensionId] is not found',
              errors: [
                {
                  errorCode: 'CMN-102',
                  message: 'Resource for parameter [extensionId] is not found',
                },
              ],
            }),
          },
    );

    // Act
    const denied = await recorded.rc.extensions.get('101002').catch((error: unknown) => error);
    const missing = recorded.rc.extensions.get('999999');

    // Assess
    expect(denied).toBeInstanceOf(InsufficientPermissionsError);
    expect(denied).toMatchObject({
      status: 403,
      errorCode: 'CMN-408',
      permissionName: 'ReadExtensions',
    });
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
  });

  it('rejects bad filters and ids before sending anything', async () => {
    // Prepare
    recorded = await serve(() => ({ status: 200, body: wirePage([], 1, 100, 0) }));
    const { rc } = recorded;
    const drain = async (filter: Parameters<RingCentral['extensions']['list']>[0]) =>
      rc.extensions.list(filter);

    // Act
    const attempts = [
      drain({ perPage: 0 }),
      drain({ perPage: 1001 }),
      drain({ page: 0 }),
      drain({ status: ['Sleeping' as never] }),
      drain({ type: ['Robot' as never] }),
      drain({ extensionNumber: '12a' }),
      rc.extensions.get('12.5'),
      rc.extensions.get(101001 as unknown as string),
    ];

    // Assess
    for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(InvalidInputError);
    expect(recorded.server.requests).toHaveLength(0);
  });
});
