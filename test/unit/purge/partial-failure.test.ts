import { afterEach, describe, expect, it } from 'vitest';
import type { CursorStore } from '../../../lib/archive/ports.ts';
import { runPurge } from '../../../lib/purge/run.ts';
import { createRingCentral, staticTokenSource } from '../../../lib/ringcentral/index.ts';
import { sendJson, startServer, type TestServer } from '../ringcentral/support/http-server.ts';
import { archiveRecords, attachmentBytes, messageRecord } from './fixture.ts';
import { createMemoryStore } from './memory-store.ts';

const STORE_PATH = '/restapi/v1.0/account/~/extension/~/message-store';
const now = new Date('2024-06-30T00:00:00.000Z');
const ids = ['1724000000000000001', '1724000000000000002', '1724000000000000003'];
const refused = ids[1]!;

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** RingCentral as a script: one listing page, and a 207 that refuses one id of the DELETE. */
async function startScriptedRingCentral() {
  const records = ids.map((id) =>
    messageRecord({ id, creationTime: '2024-01-15T00:00:00.000Z', attachmentSizes: [64] }),
  );
  const started = await startServer((request, response) => {
    if (request.method === 'GET' && request.path === STORE_PATH) {
      sendJson(response, 200, {
        uri: `${started.url}${STORE_PATH}`,
        records,
        paging: { page: 1, perPage: 1000, pageStart: 0, pageEnd: records.length - 1 },
        navigation: {},
      });
      return;
    }
    if (request.method === 'DELETE' && request.path.startsWith(`${STORE_PATH}/`)) {
      const pathIds = request.path.slice(STORE_PATH.length + 1).split(',');
      sendJson(
        response,
        207,
        pathIds.map((id) =>
          id === refused
            ? {
                resourceId: id,
                status: 404,
                body: { errors: [{ errorCode: 'CMN-102', message: 'Resource is not found' }] },
              }
            : { resourceId: id, status: 204, body: {} },
        ),
        { 'content-type': 'application/vnd.ringcentral.multipart+json' },
      );
      return;
    }
    sendJson(response, 404, { errors: [{ errorCode: 'CMN-102', message: 'no route' }] });
  });
  return { started, records };
}

describe('runPurge with a partial failure', () => {
  it('reports the ids a 207 refused and the ones it deleted, in one request', async () => {
    // Prepare
    const scripted = await startScriptedRingCentral();
    server = scripted.started;
    const objects = createMemoryStore();
    await archiveRecords(objects, scripted.records, (_record, attachmentId) =>
      attachmentBytes(attachmentId, 64),
    );
    const cursors: Pick<CursorStore, 'get'> = {
      get: async (extension) => ({ extension, version: 3, syncTime: now.toISOString() }),
    };
    const rc = createRingCentral({ server: server.url, tokenSource: staticTokenSource('token') });

    // Act
    const { report, reportKey } = await runPurge(
      { messages: rc.messages, objects, cursors, now: () => now, runId: 'run-207' },
      { extensions: ['~'], retentionDays: { Fax: 30 }, dryRun: false, hardPurge: true },
    );

    // Assess
    const deletes = server.requests.filter((request) => request.method === 'DELETE');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]?.path).toBe(`${STORE_PATH}/${ids.join(',')}`);
    expect(deletes[0]?.query.get('purge')).toBe('true');
    expect(report.deleted.map((entry) => entry.id)).toEqual([ids[0], ids[2]]);
    expect(report.failed).toEqual([
      expect.objectContaining({ id: refused, extension: '~', status: 404, errorCode: 'CMN-102' }),
    ]);
    expect(report.counts).toMatchObject({ candidates: 3, verified: 3, deleted: 2, failed: 1 });
    expect(reportKey).toBe('reports/purge/2024/06/30/run-207.json');
    expect(JSON.parse(objects.text(reportKey) ?? '{}')).toEqual(report);
  });

  it('sends no request at all in a dry run beyond the listing', async () => {
    // Prepare
    const scripted = await startScriptedRingCentral();
    server = scripted.started;
    const objects = createMemoryStore();
    await archiveRecords(objects, scripted.records, (_record, attachmentId) =>
      attachmentBytes(attachmentId, 64),
    );
    const cursors: Pick<CursorStore, 'get'> = {
      get: async (extension) => ({ extension, version: 1, syncTime: now.toISOString() }),
    };
    const rc = createRingCentral({ server: server.url, tokenSource: staticTokenSource('token') });

    // Act
    const { report } = await runPurge(
      { messages: rc.messages, objects, cursors, now: () => now },
      { extensions: ['~'], retentionDays: { Fax: 30 }, dryRun: true, hardPurge: true },
    );

    // Assess
    expect(server.requests.map((request) => request.method)).toEqual(['GET']);
    expect(report.wouldDelete.map((entry) => entry.id)).toEqual(ids);
    expect(report.deleted).toEqual([]);
  });
});

describe('runPurge when RingCentral fails', () => {
  it('writes the report and deletes nothing when the listing keeps failing', async () => {
    // Prepare
    server = await startServer((_request, response) => {
      sendJson(response, 503, { errors: [{ errorCode: 'CMN-211', message: 'unavailable' }] });
    });
    const objects = createMemoryStore();
    const cursors: Pick<CursorStore, 'get'> = {
      get: async (extension) => ({ extension, version: 1, syncTime: now.toISOString() }),
    };
    const rc = createRingCentral({
      server: server.url,
      tokenSource: staticTokenSource('token'),
      limits: { backoff: { baseMs: 1, maxMs: 5, maxRetries: 2 } },
    });

    // Act
    const { report, reportKey } = await runPurge(
      { messages: rc.messages, objects, cursors, now: () => now, runId: 'run-503' },
      { extensions: ['~'], retentionDays: { Fax: 30 }, dryRun: false, hardPurge: true },
    );

    // Assess
    expect(server.requests.every((request) => request.method === 'GET')).toBe(true);
    expect(server.requests).toHaveLength(3);
    expect(report.complete).toBe(false);
    expect(report.extensions).toEqual([
      expect.objectContaining({
        extension: '~',
        stopped: 'error',
        error: expect.stringMatching(/ServerError/),
      }),
    ]);
    expect(report.deleted).toEqual([]);
    expect(objects.text(reportKey)).toBeDefined();
  });

  it('reports every id of a DELETE that failed as a whole as failed, not deleted', async () => {
    // Prepare
    const records = ids.map((id) =>
      messageRecord({ id, creationTime: '2024-01-15T00:00:00.000Z', attachmentSizes: [64] }),
    );
    server = await startServer((request, response) => {
      if (request.method === 'GET') {
        sendJson(response, 200, { records, paging: { page: 1 }, navigation: {} });
      } else {
        sendJson(response, 403, {
          errors: [
            {
              errorCode: 'CMN-408',
              message:
                'In order to call this API endpoint, user needs to have [EditMessages] permission',
            },
          ],
        });
      }
    });
    const objects = createMemoryStore();
    await archiveRecords(objects, records, (_record, attachmentId) =>
      attachmentBytes(attachmentId, 64),
    );
    const cursors: Pick<CursorStore, 'get'> = {
      get: async (extension) => ({ extension, version: 1, syncTime: now.toISOString() }),
    };
    const rc = createRingCentral({ server: server.url, tokenSource: staticTokenSource('token') });

    // Act
    const { report } = await runPurge(
      { messages: rc.messages, objects, cursors, now: () => now },
      { extensions: ['~'], retentionDays: { Fax: 30 }, dryRun: false, hardPurge: false },
    );

    // Assess
    const deletes = server.requests.filter((request) => request.method === 'DELETE');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]?.query.has('purge')).toBe(false);
    expect(report.deleted).toEqual([]);
    expect(report.failed.map((failure) => [failure.id, failure.status, failure.errorCode])).toEqual(
      ids.map((id) => [id, 403, 'CMN-408']),
    );
  });
});
