import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { sendFaxRequest } from '../../../lib/api/fax.ts';
import { buildOpenApiDocument } from '../../../lib/api/openapi.ts';
import { sendPagerRequest } from '../../../lib/api/pager.ts';
import { sendSmsRequest } from '../../../lib/api/sms.ts';
import { sendSmsBatchRequest } from '../../../lib/api/sms-batch.ts';
import * as z from '../../../lib/validation/zod.ts';

const COMMITTED = new URL('../../../docs/openapi.json', import.meta.url);

type Json = Record<string, unknown>;

/** Compiles a component schema with the others registered, so `$ref`s resolve. */
function validatorFor(document: Json, name: string) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const components = (document.components as { schemas: Record<string, Json> }).schemas;
  ajv.addSchema({ $id: 'api', components: { schemas: components } });
  return ajv.compile({ $ref: `api#/components/schemas/${name}` });
}

describe('the OpenAPI document of the HTTP API', () => {
  it('is committed in docs/openapi.json exactly as generated from the zod schemas', async () => {
    // Prepare
    const committed = JSON.parse(await readFile(COMMITTED, 'utf8')) as unknown;

    // Act
    const generated = buildOpenApiDocument();

    // Assess
    expect(committed, 'run `npm run openapi` and commit docs/openapi.json').toEqual(generated);
  });

  it('describes POST /sms, /pager, /fax and /sms/batches with the Idempotency-Key header and problem responses', () => {
    // Act
    const document = buildOpenApiDocument() as {
      openapi: string;
      paths: Record<string, { post: Json }>;
    };
    const sends = ['/fax', '/pager', '/sms', '/sms/batches'].map((path) => document.paths[path]!);

    // Assess
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/fax',
      '/messages/{messageId}',
      '/pager',
      '/sms',
      '/sms/batches',
      '/sms/batches/{batchId}',
    ]);
    for (const path of sends) {
      const responses = path.post.responses as Record<string, { content?: Json }>;
      expect(path.post.parameters).toEqual([{ $ref: '#/components/parameters/IdempotencyKey' }]);
      expect(Object.keys(responses[202]?.content ?? {})).toEqual(['application/json']);
      for (const status of ['400', '409', '415', '422', '502', '503', '504']) {
        expect(Object.keys(responses[status]?.content ?? {})).toEqual(['application/problem+json']);
      }
    }
  });

  it('describes GET /messages/{messageId}: the id parameter, the status and problem responses', () => {
    // Act
    const document = buildOpenApiDocument() as { paths: Record<string, { get?: Json }> };
    const read = document.paths['/messages/{messageId}']?.get as {
      parameters: Array<{ name: string; in: string; required: boolean }>;
      responses: Record<string, { content?: Json }>;
    };

    // Assess
    expect(read.parameters.map((parameter) => [parameter.name, parameter.in])).toEqual([
      ['messageId', 'path'],
    ]);
    expect(Object.keys(read.responses[200]?.content ?? {})).toEqual(['application/json']);
    for (const status of ['400', '404', '502', '503', '504']) {
      expect(Object.keys(read.responses[status]?.content ?? {})).toEqual([
        'application/problem+json',
      ]);
    }
  });

  it('has JSON Schemas that agree with zod on the examples and on invalid bodies', () => {
    // Prepare
    const document = buildOpenApiDocument();
    const cases = [
      { name: 'SendSmsRequest', zod: sendSmsRequest },
      { name: 'SendPagerRequest', zod: sendPagerRequest },
      { name: 'SendFaxRequest', zod: sendFaxRequest },
      { name: 'SendSmsBatchRequest', zod: sendSmsBatchRequest },
    ] as const;
    const invalid: unknown[] = [
      {},
      { to: [], text: 'x' },
      { to: ['+1650555010'], text: '' },
      { to: ['16505550100'], text: 'x' },
      { to: [{ extensionNumber: 'abc' }], text: 'x' },
      { to: ['+16505550100'], documents: [{ fileName: 'a.exe', content: 'AAAA' }] },
      { to: ['+16505550100'], text: 'x', extra: true },
      { to: ['+16505550100'], text: 'x'.repeat(1025) },
      { recipients: [], text: 'x' },
      { recipients: [{ to: '16505550100' }], text: 'x' },
      { recipients: [{ to: '+16505550100', extra: 1 }], text: 'x' },
    ];

    for (const { name, zod } of cases) {
      const validate = validatorFor(document, name);
      const examples = z.globalRegistry.get(zod)?.examples as unknown[];

      // Act
      const exampleResults = examples.map((example) => [
        zod.safeParse(example).success,
        validate(example),
      ]);
      const invalidResults = invalid.map((body) => [zod.safeParse(body).success, validate(body)]);

      // Assess
      expect(examples.length).toBeGreaterThan(0);
      expect(exampleResults).toEqual(examples.map(() => [true, true]));
      expect(invalidResults).toEqual(invalid.map(() => [false, false]));
    }
  });
});
