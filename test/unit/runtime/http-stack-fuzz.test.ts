import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
} from '@aws-lambda-powertools/idempotency';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createHttpHandler } from '../../../lib/runtime/http-stack.ts';
import { httpApiEvent, lambdaContext } from '../../support/events.ts';

/** Idempotency records in a Map, so that thousands of runs take seconds (dynalite tests cover DynamoDB). */
class MemoryPersistence extends BasePersistenceLayer {
  readonly records = new Map<string, IdempotencyRecord>();
  protected override async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    if (existing && !existing.isExpired()) {
      throw new IdempotencyItemAlreadyExistsError('exists', existing);
    }
    this.records.set(record.idempotencyKey, record);
  }
  protected override async _getRecord(key: string): Promise<IdempotencyRecord> {
    const record = this.records.get(key);
    if (!record) throw new IdempotencyItemNotFoundError('missing');
    return record;
  }
  protected override async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.records.set(record.idempotencyKey, record);
  }
  protected override async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }
}

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/);
const schema = z.object({
  to: z
    .array(z.object({ phoneNumber: e164 }))
    .min(1)
    .max(10),
  text: z
    .string()
    .min(1)
    .refine((text) => text.length <= 1000, 'must be at most 1000 UTF-16 units'),
});

const jsonValue = fc.jsonValue({ maxDepth: 4 });
const nearlyValid = fc.record(
  {
    to: fc.oneof(
      fc.array(fc.record({ phoneNumber: fc.oneof(fc.string(), fc.constant('+14155550100')) })),
      jsonValue,
    ),
    text: fc.oneof(fc.string({ maxLength: 1_100 }), jsonValue, fc.constant('x'.repeat(1_001))),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.string(),
  jsonValue.map((value) => JSON.stringify(value)),
  nearlyValid.map((value) => JSON.stringify(value)),
  fc.constant('{"to":[{"phoneNumber":"+14155550100"}],"text":"ok"}'),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);
const contentType = fc.oneof(
  fc.constant('application/json'),
  fc.constant('application/json; charset=utf-8'),
  fc.constant('application/problem+json'),
  fc.constant('text/plain'),
  fc.string({ maxLength: 30 }),
);
const idempotencyKey = fc.oneof(
  fc.constant('key-1'),
  fc.uuid(),
  fc.string({ maxLength: 300 }),
  fc.constant(''),
);
const request = fc.record(
  {
    body,
    contentType,
    idempotencyKey,
    extraHeaders: fc.dictionary(
      fc.string({ minLength: 1, maxLength: 20 }).filter((name) => /^[\w-]+$/.test(name)),
      fc.string({ maxLength: 40 }),
      { maxKeys: 4 },
    ),
    base64: fc.boolean(),
  },
  { requiredKeys: ['body'] },
);

describe('createHttpHandler under fuzzing', () => {
  // Thousands of runs: keep the output readable (redaction has its own tests).
  beforeAll(() => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'ERROR');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it('answers malformed bodies and headers with 4xx problems only, never reaching the handler with invalid data', async () => {
    // Prepare
    let handled = 0;
    const handler = createHttpHandler({
      service: 'fuzz',
      body: schema,
      idempotency: { required: true, persistence: new MemoryPersistence() },
      handler: async ({ body: valid }) => {
        handled += 1;
        schema.parse(valid);
        return { status: 202, body: { id: '1', recipients: valid.to.length } };
      },
    });
    const statuses = new Set<number>();

    // Act
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const headers: Record<string, string> = { ...input.extraHeaders };
        if (input.contentType !== undefined) headers['content-type'] = input.contentType;
        if (input.idempotencyKey !== undefined) headers['idempotency-key'] = input.idempotencyKey;
        const event = httpApiEvent({
          path: '/sms',
          body: input.base64 ? Buffer.from(input.body).toString('base64') : input.body,
          isBase64Encoded: input.base64 ?? false,
          headers,
        });
        const response = await handler(event, lambdaContext());
        statuses.add(response.statusCode ?? 0);

        // Assess
        const status = response.statusCode ?? 0;
        expect(status).toBeLessThan(500);
        if (status >= 400) {
          expect(response.headers?.['content-type']).toBe('application/problem+json');
          const problem = JSON.parse(response.body ?? '{}') as { status: number; title: string };
          expect(problem.status).toBe(status);
          expect(response.body).not.toMatch(/\n\s+at /);
        }
      }),
      { numRuns: 5_000 },
    );

    // Assess
    expect([...statuses].some((status) => status === 400)).toBe(true);
    expect([...statuses].some((status) => status === 415)).toBe(true);
    expect(handled).toBeGreaterThan(0);
  });
});
