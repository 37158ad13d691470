import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DOCUMENTED_DEVIATIONS,
  loadRingCentralContract,
} from '../../support/contract-deviations.ts';
import {
  type Contract,
  ContractLoadError,
  type Exchange,
  loadContract,
} from '../../support/openapi-contract.ts';

const FACTS_PATH = fileURLToPath(
  new URL('../../../../shared/ringcentral/FACTS.md', import.meta.url),
);
const MESSAGE_STORE = '/restapi/v1.0/account/~/extension/101001/message-store';
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** A record with every field GetMessageInfoResponse requires, plus a 19-digit conversation id. */
function messageRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 1_000_001,
    uri: 'https://platform.example/restapi/v1.0/account/1/extension/101001/message-store/1000001',
    extensionId: '101001',
    type: 'SMS',
    direction: 'Inbound',
    availability: 'Alive',
    messageStatus: 'Received',
    readStatus: 'Unread',
    creationTime: '2026-01-02T03:04:05.000Z',
    lastModifiedTime: '2026-01-02T03:04:05.000Z',
    conversationId: '1234567890123456789',
    conversation: { id: '1234567890123456789', uri: 'https://platform.example/conversation' },
    from: { phoneNumber: '+15550100001' },
    to: [{ phoneNumber: '+15550100002' }],
    subject: 'hello',
    attachments: [],
    ...overrides,
  };
}

/** Serialises as RingCentral does: `conversationId` (int64 in the spec) as a bare JSON number. */
function json(value: unknown): Buffer {
  const text = JSON.stringify(value).replace(/"conversationId":"(\d+)"/g, '"conversationId":$1');
  return Buffer.from(text);
}

function listExchange(overrides: Partial<Exchange> = {}): Exchange {
  return {
    host: 'platform',
    method: 'GET',
    path: MESSAGE_STORE,
    query: 'availability=Alive&availability=Deleted&dateFrom=2026-01-01T00:00:00.000Z&perPage=100',
    requestHeaders: { authorization: 'Bearer token', accept: 'application/json' },
    status: 200,
    responseHeaders: JSON_HEADERS,
    responseBody: json({
      uri: 'https://platform.example/restapi/v1.0/account/~/extension/101001/message-store',
      records: [messageRecord()],
      paging: { page: 1, perPage: 100, pageStart: 0, pageEnd: 0 },
      navigation: {},
    }),
    ...overrides,
  };
}

/** What a promise rejected with (it must reject). */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

function multipartBody(boundary: string, parts: Array<{ headers: string[]; body: string }>) {
  const lines = parts.map(
    (part) => `--${boundary}\r\n${part.headers.join('\r\n')}\r\n\r\n${part.body}\r\n`,
  );
  return Buffer.from(`${lines.join('')}--${boundary}--\r\n`);
}

describe('OpenAPI contract', () => {
  let contract: Contract;

  beforeAll(async () => {
    contract = await loadContract();
  });

  describe('matchOperation', () => {
    it('matches templates, bulk ids and the legacy export archive path', () => {
      // Prepare
      const archivePath = '/restapi/v1.0/account/~/message-store-report/task-1/archive/0';

      // Act
      const list = contract.matchOperation('get', MESSAGE_STORE);
      const bulk = contract.matchOperation('DELETE', `${MESSAGE_STORE}/11,12,13`);
      const archive = contract.matchOperation('GET', archivePath);
      const renew = contract.matchOperation('POST', '/restapi/v1.0/subscription/abc/renew');

      // Assess
      expect(list).toEqual({ operationId: 'listMessages', group: 'Light' });
      expect(bulk).toEqual({ operationId: 'deleteMessage', group: 'Medium' });
      expect(archive).toEqual({
        operationId: 'readMessageStoreReportArchiveContent',
        group: 'Heavy',
      });
      expect(renew).toEqual({ operationId: 'renewSubscription', group: 'Light' });
    });

    it('answers undefined for a path or method the spec lacks', () => {
      // Act
      const unknownPath = contract.matchOperation('GET', '/restapi/v1.0/account/~/call-log');
      const unknownMethod = contract.matchOperation('PATCH', '/restapi/v1.0/subscription');

      // Assess
      expect(unknownPath).toBeUndefined();
      expect(unknownMethod).toBeUndefined();
    });
  });

  describe('conforming exchanges', () => {
    it('accepts a message list with repeated array query keys and a 19-digit conversation id', () => {
      // Act
      const problems = contract.validateExchange(listExchange());

      // Assess
      expect(problems).toEqual([]);
    });

    it('accepts an SMS send with a JSON body', () => {
      // Prepare
      const exchange: Exchange = {
        method: 'POST',
        path: '/restapi/v1.0/account/~/extension/~/sms',
        query: '',
        requestHeaders: { 'Content-Type': 'application/json' },
        requestBody: json({
          from: { phoneNumber: '+15550100001' },
          to: [{ phoneNumber: '+15550100002' }],
          text: 'hi',
        }),
        status: 200,
        responseHeaders: JSON_HEADERS,
        responseBody: json(messageRecord({ direction: 'Outbound', messageStatus: 'Queued' })),
      };

      // Act
      const problems = contract.validateExchange(exchange);

      // Assess
      expect(problems).toEqual([]);
    });

    it('accepts a form-encoded JWT token request', () => {
      // Prepare
      const form = new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: 'header.payload.signature',
      });
      const exchange: Exchange = {
        method: 'POST',
        path: '/restapi/oauth/token',
        query: '',
        requestHeaders: { 'content-type': 'application/x-www-form-urlencoded' },
        requestBody: Buffer.from(form.toString()),
        status: 200,
        responseHeaders: JSON_HEADERS,
        responseBody: json({
          access_token: 'a',
          token_type: 'bearer',
          expires_in: 3600,
          refresh_token: 'r',
          refresh_token_expires_in: 604800,
          scope: 'ReadMessages',
          owner_id: '101001',
          endpoint_id: 'e',
          session_id: 's',
        }),
      };

      // Act
      const problems = contract.validateExchange(exchange);

      // Assess
      expect(problems).toEqual([]);
    });

    it('accepts a ranged attachment download on the media host with a wildcard media type', () => {
      // Prepare
      const exchange: Exchange = {
        host: 'media',
        method: 'GET',
        path: `${MESSAGE_STORE}/1000001/content/2000001`,
        query: 'contentDisposition=Attachment',
        requestHeaders: { range: 'bytes=100-' },
        status: 206,
        responseHeaders: { 'content-type': 'audio/mpeg', 'content-range': 'bytes 100-199/200' },
      };

      // Act
      const problems = contract.validateExchange(exchange);

      // Assess
      expect(problems).toEqual([]);
    });

    it('accepts a fax as multipart/form-data with the declared field names', () => {
      // Prepare
      const boundary = 'fax-boundary';
      const body = multipartBody(boundary, [
        { headers: ['Content-Disposition: form-data; name="to"'], body: '+15550100002' },
        { headers: ['Content-Disposition: form-data; name="faxResolution"'], body: 'High' },
        {
          headers: [
            'Content-Disposition: form-data; name="attachment"; filename="a.pdf"',
            'Content-Type: application/pdf',
          ],
          body: '%PDF-1.4',
        },
      ]);
      const exchange: Exchange = {
        method: 'POST',
        path: '/restapi/v1.0/account/~/extension/~/fax',
        query: '',
        requestHeaders: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        requestBody: body,
        status: 200,
        responseHeaders: JSON_HEADERS,
        responseBody: undefined,
      };

      // Act
      const problems = contract.validateExchange(exchange);

      // Assess
      expect(problems).toEqual([]);
    });
  });

  describe('violations', () => {
    it('reports an unknown path', () => {
      // Prepare
      const exchange = listExchange({ path: '/restapi/v1.0/account/~/extension/~/call-log' });

      // Act
      const problems = contract.validateExchange(exchange);

      // Assess
      expect(problems).toEqual([
        'GET /restapi/v1.0/account/~/extension/~/call-log: no such operation in the spec',
      ]);
    });

    it('reports a query value outside its enum and an undeclared query key', () => {
      // Prepare
      const exchange = listExchange({ query: 'messageType=SMS&messageType=Telegram&foo=1' });

      // Act
      const problems = contract.validateExchange(exchange);

      // Assess
      expect(problems).toEqual([
        'listMessages request query parameter "messageType": /1 must be equal to one of the allowed values (Fax, SMS, VoiceMail, Pager)',
        'listMessages request: query parameter "foo" is not declared',
      ]);
    });

    it('reports a query value that does not coerce to its type', () => {
      // Prepare
      const exchange = listExchange({ query: 'perPage=lots' });

      // Act
      const problems = contract.validateExchange(exchange);

      // Assess
      expect(problems).toEqual([
        'listMessages request query parameter "perPage": / must be integer',
      ]);
    });

    it('reports a request body missing a required field', () => {
      // Prepare
      const exchange: Exchange = {
        method: 'POST',
        path: '/restapi/v1.0/account/~/extension/~/company-pager',
        query: '',
        requestHeaders: { 'content-type': 'application/json' },
        requestBody: json({ to: [{ extensionId: '101002' }] }),
        status: 200,
        responseHeaders: JSON_HEADERS,
      };

      // Act
      const problems = contract.validateExchange(exchange);

      // Assess
      expect(problems).toEqual([
        "createInternalTextMessage request: / must have required property 'text'",
      ]);
    });

    it('reports a fax form missing its required "to" field', () => {
      // Prepare
      const boundary = 'b1';
      const exchange: Exchange = {
        method: 'POST',
        path: '/restapi/v1.0/account/~/extension/~/fax',
        query: '',
        requestHeaders: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        requestBody: multipartBody(boundary, [
          {
            headers: ['Content-Disposition: form-data; name="attachment"; filename="a.pdf"'],
            body: '%PDF',
          },
        ]),
        status: 200,
        responseHeaders: JSON_HEADERS,
      };

      // Act
      const problems = contract.validateExchange(exchange);

      // Assess
      expect(problems).toEqual(['createFaxMessage request: form-data field "to" is required']);
    });

    it('reports an undeclared status', () => {
      // Prepare
      const exchange = listExchange({
        status: 418,
        responseBody: json({ errors: [{ errorCode: 'X-1', message: 'teapot' }] }),
      });

      // Act
      const problems = contract.validateExchange(exchange);

      // Assess
      expect(problems).toEqual([
        'listMessages response 418: status 418 is not declared (declared: 200)',
      ]);
    });

    it('reports a response content type the status does not declare', () => {
      // Prepare
      const exchange = listExchange({ responseHeaders: { 'content-type': 'text/html' } });

      // Act
      const problems = contract.validateExchange(exchange);

      // Assess
      expect(problems).toEqual([
        'listMessages response 200: content type "text/html" is not declared (declared: application/json)',
      ]);
    });

    it('reports a request content type the operation does not declare', () => {
      // Prepare
      const exchange: Exchange = {
        method: 'POST',
        path: '/restapi/v1.0/account/~/extension/~/company-pager',
        query: '',
        requestHeaders: { 'content-type': 'text/plain' },
        requestBody: Buffer.from('hello'),
        status: 200,
        responseHeaders: JSON_HEADERS,
      };

      // Act
      const problems = contract.validateExchange(exchange);

      // Assess
      expect(problems).toEqual([
        'createInternalTextMessage request: content type "text/plain" is not declared (declared: application/json)',
      ]);
    });

    it('reports a response schema violation with operation, status and location', () => {
      // Prepare
      const exchange = listExchange({
        responseBody: json({
          uri: 'https://platform.example/x',
          records: [messageRecord({ direction: 'Sideways' })],
          paging: {},
          navigation: {},
        }),
      });

      // Act
      const problems = contract.validateExchange(exchange);

      // Assess
      expect(problems).toEqual([
        'listMessages response 200: /records/0/direction must be equal to one of the allowed values (Inbound, Outbound)',
      ]);
    });

    it('reports a response body that is not JSON', () => {
      // Prepare
      const exchange = listExchange({ responseBody: Buffer.from('{"records": [') });

      // Act
      const problems = contract.validateExchange(exchange);

      // Assess
      expect(problems).toEqual(['listMessages response 200: body is not valid JSON']);
    });

    it('reports a missing required path segment value as an unknown operation', () => {
      // Prepare
      const exchange = listExchange({ path: '/restapi/v1.0/account//extension/~/message-store' });

      // Act
      const problems = contract.validateExchange(exchange);

      // Assess
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/no such operation/);
    });
  });

  describe('undeclared error statuses', () => {
    it('accepts them with a RingCentral error body only when asked to', async () => {
      // Prepare
      const lenient = await loadContract(undefined, { acceptUndeclaredErrors: true });
      const rateLimited = listExchange({
        status: 429,
        responseHeaders: { ...JSON_HEADERS, 'retry-after': '3' },
        responseBody: json({
          errorCode: 'CMN-301',
          message: 'Request rate exceeded',
          errors: [{ errorCode: 'CMN-301', message: 'Request rate exceeded' }],
        }),
      });
      const badErrorBody = listExchange({ status: 503, responseBody: json({ message: 'down' }) });

      // Act
      const strictProblems = contract.validateExchange(rateLimited);
      const lenientProblems = lenient.validateExchange(rateLimited);
      const badBodyProblems = lenient.validateExchange(badErrorBody);

      // Assess
      expect(strictProblems).toEqual([
        'listMessages response 429: status 429 is not declared (declared: 200)',
      ]);
      expect(lenientProblems).toEqual([]);
      expect(badBodyProblems).toEqual([
        "listMessages response 503 (error body): / must have required property 'errors'",
      ]);
    });
  });

  describe('documented deviations', () => {
    const CONTENT_PATH = `${MESSAGE_STORE}/1000001/content/2000001`;

    function contentExchange(contentType: string): Exchange {
      return {
        host: 'media',
        method: 'GET',
        path: CONTENT_PATH,
        query: '',
        requestHeaders: { authorization: 'Bearer token' },
        status: 200,
        responseHeaders: { 'content-type': contentType },
        responseBody: Buffer.from('transcribed words'),
      };
    }

    function bulkDeleteExchange(body: unknown): Exchange {
      return {
        method: 'DELETE',
        path: `${MESSAGE_STORE}/11,12`,
        query: '',
        requestHeaders: { accept: 'application/vnd.ringcentral.multipart+json' },
        status: 207,
        responseHeaders: { 'content-type': 'application/vnd.ringcentral.multipart+json' },
        responseBody: json(body),
      };
    }

    function mixedFaxExchange(jsonPart: unknown): Exchange {
      const boundary = 'fax-boundary';
      return {
        method: 'POST',
        path: '/restapi/v1.0/account/~/extension/~/fax',
        query: '',
        requestHeaders: { 'content-type': `multipart/mixed; boundary=${boundary}` },
        requestBody: multipartBody(boundary, [
          { headers: ['Content-Type: application/json'], body: JSON.stringify(jsonPart) },
          {
            headers: [
              'Content-Type: application/pdf',
              'Content-Disposition: attachment; filename="a.pdf"',
            ],
            body: '%PDF',
          },
        ]),
        status: 200,
        responseHeaders: JSON_HEADERS,
      };
    }

    it('accepts each documented deviation that the strict contract rejects', async () => {
      // Prepare
      const tolerant = await loadRingCentralContract();
      const exchanges = [
        contentExchange('text/plain; charset=utf-8'),
        bulkDeleteExchange([
          { resourceId: '11', status: 204 },
          { resourceId: '12', status: 404, body: { errors: [{ errorCode: 'CMN-102' }] } },
        ]),
        mixedFaxExchange({ to: [{ phoneNumber: '+15550100002' }], coverPageText: 'Hi' }),
      ];

      // Act
      const strict = exchanges.map((exchange) => contract.validateExchange(exchange).length);
      const tolerated = exchanges.flatMap((exchange) => tolerant.validateExchange(exchange));

      // Assess
      expect(strict.every((count) => count > 0)).toBe(true);
      expect(tolerated).toEqual([]);
    });

    it('tolerates nothing broader than each entry says', async () => {
      // Prepare
      const tolerant = await loadRingCentralContract();

      // Act
      const html = tolerant.validateExchange(contentExchange('text/html'));
      const badEntries = tolerant.validateExchange(bulkDeleteExchange([{ resourceId: '11' }]));
      const faxWithoutTo = tolerant.validateExchange(mixedFaxExchange({ coverPageText: 'Hi' }));

      // Assess
      expect(html).toEqual([
        'readMessageContent response 200: content type "text/html" is not declared ' +
          '(declared: audio/*, image/*, video/*, application/pdf, text/plain)',
      ]);
      expect(badEntries).toEqual([
        "deleteMessage response 207: /0 must have required property 'status'",
      ]);
      expect(faxWithoutTo).toEqual([
        "createFaxMessage request part 1: / must have required property 'to'",
      ]);
    });

    it('rests every entry on a line of FACTS.md', async () => {
      // Prepare
      const facts = await readFile(FACTS_PATH, 'utf8');

      // Act
      const undocumented = DOCUMENTED_DEVIATIONS.filter(
        (deviation) => !facts.includes(deviation.documentedBy),
      );

      // Assess
      expect(undocumented).toEqual([]);
    });

    it('refuses a deviation for an unknown operation or one the spec already declares', async () => {
      // Prepare
      const base = { tolerates: 'x', documentedBy: 'y' };

      // Act
      const unknown = await rejectionOf(
        loadContract(undefined, {
          deviations: [{ ...base, operationId: 'nope', where: 'request', mediaType: 'text/plain' }],
        }),
      );
      const declared = await rejectionOf(
        loadContract(undefined, {
          deviations: [
            {
              ...base,
              operationId: 'readMessageContent',
              where: { status: 200 },
              mediaType: 'application/pdf',
            },
          ],
        }),
      );

      // Assess
      expect(unknown).toBeInstanceOf(ContractLoadError);
      expect(declared).toBeInstanceOf(ContractLoadError);
      expect((declared as Error).message).toMatch(/already declared/);
    });
  });
});
