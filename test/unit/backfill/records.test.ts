import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageStoreJsonError, readMessageStoreRecords } from '../../../lib/backfill/records.ts';

/** Splits text into pieces of the given byte sizes (cycled), cutting through UTF-8 characters. */
function pieces(text: string, sizes: readonly number[]): Readable {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let offset = 0, index = 0; offset < bytes.length; index += 1) {
    const size = Math.max(1, sizes[index % sizes.length] ?? 1);
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return Readable.from(chunks, { objectMode: false });
}

async function readAll(source: Readable) {
  const records = [];
  for await (const record of readMessageStoreRecords(source)) records.push(record);
  return records;
}

describe('readMessageStoreRecords', () => {
  it('yields each record with 19-digit ids exact, whatever the chunking', async () => {
    // Prepare
    const text =
      '[{"id":1234567890123456789,"conversationId":9007199254740993123,"subject":"a } ] { [ \\" é","attachments":[{"id":42,"size":7}]},' +
      ' {"id":2,"nested":{"deep":[{"x":"}"}]}}]';

    // Act
    const whole = await readAll(pieces(text, [10_000]));
    const byteByByte = await readAll(pieces(text, [1]));

    // Assess
    expect(whole).toEqual(byteByByte);
    expect(whole.map((record) => record.id)).toEqual(['1234567890123456789', '2']);
    expect(whole[0]?.conversationId).toBe('9007199254740993123');
    expect(whole[0]?.subject).toBe('a } ] { [ " é');
    expect(whole[0]?.attachments?.[0]).toEqual({ id: '42', size: 7 });
  });

  it('reads the records array of a {"records": [...]} document', async () => {
    // Prepare
    const text = '{"uri":"x","records":[{"id":5},{"id":6}],"paging":{"page":1}}';

    // Act
    const records = await readAll(pieces(text, [3]));

    // Assess
    expect(records.map((record) => record.id)).toEqual(['5', '6']);
  });

  it('round-trips generated records (property)', async () => {
    const recordArbitrary = fc.record({
      id: fc.bigInt({ min: 1n, max: 10n ** 19n - 1n }).map(String),
      subject: fc.string({ maxLength: 30 }),
      readStatus: fc.constantFrom('Read', 'Unread'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArbitrary, { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 4 }),
        async (records, sizes) => {
          // Prepare
          const text = `[${records
            .map((record) =>
              JSON.stringify(record).replace(`"id":"${record.id}"`, `"id":${record.id}`),
            )
            .join(',')}]`;

          // Act
          const read = await readAll(pieces(text, sizes));

          // Assess
          expect(read).toEqual(records);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('refuses a truncated file and a record without an id', async () => {
    // Prepare
    const truncated = '[{"id":1},{"id":2';
    const noId = '[{"subject":"x"}]';

    // Act
    const first = readAll(pieces(truncated, [4]));
    const second = readAll(pieces(noId, [4]));

    // Assess
    await expect(first).rejects.toThrow(MessageStoreJsonError);
    await expect(second).rejects.toThrow(/no id/);
  });
});
