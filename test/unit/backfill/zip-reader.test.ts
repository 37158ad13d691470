import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { ZipFile } from 'yazl';
import { readZipEntries, ZipFormatError } from '../../../lib/backfill/zip-reader.ts';

type EntryMode = 'stream-stored' | 'stream-deflated' | 'buffer-stored' | 'buffer-deflated';

interface EntrySpec {
  name: string;
  content: Buffer;
  mode: EntryMode;
  zip64?: boolean;
}

/** Builds a zip with yazl: streamed entries get data descriptors, buffered ones sizes up front. */
async function buildZip(entries: readonly EntrySpec[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const entry of entries) {
    const options = {
      compress: entry.mode.endsWith('deflated'),
      mtime: new Date('2024-01-01T00:00:00Z'),
      ...(entry.zip64 ? { forceZip64Format: true } : {}),
    };
    if (entry.mode.startsWith('stream')) {
      zip.addReadStream(Readable.from([entry.content]), entry.name, options);
    } else {
      zip.addBuffer(entry.content, entry.name, options);
    }
  }
  zip.end();
  return buffer(zip.outputStream as Readable);
}

/** Feeds bytes in chunks of the given sizes (cycled), as a network stream would. */
function chunked(bytes: Buffer, sizes: readonly number[]): Readable {
  const pieces: Buffer[] = [];
  for (let offset = 0, index = 0; offset < bytes.length; index += 1) {
    const size = Math.max(1, sizes[index % sizes.length] ?? 1);
    pieces.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return Readable.from(pieces, { objectMode: false });
}

async function readAll(source: Readable): Promise<Array<{ name: string; content: Buffer }>> {
  const read: Array<{ name: string; content: Buffer }> = [];
  for await (const entry of readZipEntries(source)) {
    read.push({ name: entry.name, content: await buffer(entry.stream) });
  }
  return read;
}

/** What yauzl (random access, the reference reader) finds in the same bytes. */
async function readWithYauzl(bytes: Buffer): Promise<Array<{ name: string; content: Buffer }>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (error, file) =>
      error ? reject(error) : resolve(file),
    ),
  );
  const read: Array<{ name: string; content: Buffer }> = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        buffer(stream).then((content) => {
          read.push({ name: entry.fileName, content });
          zip.readEntry();
        }, reject);
      });
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return read;
}

const SIGNATURE = Buffer.from([0x50, 0x4b, 0x07, 0x08]);

/** Whether `content` holds, after some prefix, a data descriptor (16 or 24 bytes) of that prefix. */
function holdsOwnDescriptor(content: Buffer): boolean {
  for (let at = content.indexOf(SIGNATURE); at >= 0; at = content.indexOf(SIGNATURE, at + 1)) {
    if (
      at + 8 > content.length ||
      content.readUInt32LE(at + 4) !== crc32(content.subarray(0, at))
    ) {
      continue;
    }
    const short =
      at + 16 <= content.length &&
      content.readUInt32LE(at + 8) === at &&
      content.readUInt32LE(at + 12) === at;
    const long =
      at + 24 <= content.length &&
      content.readBigUInt64LE(at + 8) === BigInt(at) &&
      content.readBigUInt64LE(at + 16) === BigInt(at);
    if (short || long) return true;
  }
  return false;
}

describe('readZipEntries', () => {
  it('reads stored and deflated entries, with and without data descriptors, as yauzl does', async () => {
    // Prepare
    const tricky = Buffer.concat([
      randomBytes(100),
      SIGNATURE,
      Buffer.alloc(12),
      Buffer.from([0x50, 0x4b, 0x03, 0x04]),
      randomBytes(50),
    ]);
    const specs: EntrySpec[] = [
      { name: 'message-store.json', content: Buffer.from('[{"id":1}]'), mode: 'stream-stored' },
      { name: '1/2_fax.pdf', content: randomBytes(70_000), mode: 'stream-stored' },
      { name: '1/3_signature-inside.bin', content: tricky, mode: 'stream-stored' },
      { name: '4/5', content: Buffer.alloc(0), mode: 'stream-stored' },
      { name: '6/7_voice.mp3', content: Buffer.alloc(90_000, 7), mode: 'stream-deflated' },
      {
        name: '8/9_known.txt',
        content: Buffer.from('sizes known up front'),
        mode: 'buffer-stored',
      },
      { name: '8/10_známý.txt', content: tricky, mode: 'buffer-deflated' },
      { name: '11/12_big64.bin', content: randomBytes(3_000), mode: 'stream-stored', zip64: true },
    ];
    const bytes = await buildZip(specs);

    // Act
    const read = await readAll(chunked(bytes, [1, 7, 4096, 3, 65_536]));
    const reference = await readWithYauzl(bytes);

    // Assess
    expect(read.map((entry) => entry.name)).toEqual(specs.map((spec) => spec.name));
    expect(read).toEqual(reference);
    for (const [index, spec] of specs.entries()) {
      expect(read[index]?.content.equals(spec.content)).toBe(true);
    }
  });

  it('round-trips any entries fed in any chunking (property)', async () => {
    const modes: EntryMode[] = [
      'stream-stored',
      'stream-deflated',
      'buffer-stored',
      'buffer-deflated',
    ];
    const entryArbitrary = fc.record({
      content: fc.oneof(
        fc.uint8Array({ maxLength: 3_000 }),
        // Contents built from zip signatures and small numbers, to tempt the descriptor scan.
        fc
          .array(
            fc.constantFrom(SIGNATURE, Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(4)),
            {
              maxLength: 40,
            },
          )
          .map((parts) => Buffer.concat(parts)),
      ),
      mode: fc.constantFrom(...modes),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryArbitrary, { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 5_000 }), { minLength: 1, maxLength: 5 }),
        async (entries, sizes) => {
          // Prepare
          const specs = entries.map((entry, index) => ({
            name: `m${index}/a${index}`,
            content: Buffer.from(entry.content),
            mode: entry.mode,
          }));
          const bytes = await buildZip(specs);

          // A stored entry of unknown size whose bytes hold, right after some prefix, a descriptor
          // of that prefix (its CRC-32 and length) is ambiguous in the format itself: without the
          // central directory no reader can tell. Such an archive must fail, never read wrong.
          const ambiguous = specs.some(
            (spec) => spec.mode === 'stream-stored' && holdsOwnDescriptor(spec.content),
          );

          // Act
          const outcome = await readAll(chunked(bytes, sizes)).catch((error: unknown) => error);

          // Assess
          if (ambiguous && outcome instanceof Error) {
            expect(outcome).toBeInstanceOf(ZipFormatError);
            return;
          }
          if (outcome instanceof Error) throw outcome;
          const read = outcome as Awaited<ReturnType<typeof readAll>>;
          expect(read.map((entry) => entry.name)).toEqual(specs.map((spec) => spec.name));
          read.forEach((entry, index) => {
            expect(entry.content.equals(specs[index]?.content ?? Buffer.alloc(0))).toBe(true);
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads a stored entry whose data holds a data descriptor followed by a local header', async () => {
    // Prepare: the bytes look like an empty entry's descriptor (sizes 0) and the next record;
    // only the CRC tells them apart (found by the property test above)
    const specs: EntrySpec[] = [
      {
        name: 'm0/a0',
        content: Buffer.from([
          0x50, 0x4b, 0x07, 0x08, 0x50, 0x4b, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x4b, 0x03,
          0x04,
        ]),
        mode: 'stream-stored',
      },
      { name: 'm1/a1', content: Buffer.alloc(0), mode: 'stream-stored' },
    ];
    const bytes = await buildZip(specs);

    // Act
    const read = await readAll(chunked(bytes, [1]));

    // Assess
    expect(read.map((entry) => entry.name)).toEqual(['m0/a0', 'm1/a1']);
    expect(read[0]?.content.equals(specs[0]!.content)).toBe(true);
    expect(read[1]?.content.length).toBe(0);
  });

  it('skips an entry the caller leaves unread and still reads the next one', async () => {
    // Prepare
    const second = randomBytes(40_000);
    const bytes = await buildZip([
      { name: 'skip-me', content: randomBytes(200_000), mode: 'stream-stored' },
      { name: 'keep-me', content: second, mode: 'stream-stored' },
    ]);

    // Act
    const kept: Buffer[] = [];
    const names: string[] = [];
    for await (const entry of readZipEntries(chunked(bytes, [8_192]))) {
      names.push(entry.name);
      if (entry.name === 'keep-me') kept.push(await buffer(entry.stream));
    }

    // Assess
    expect(names).toEqual(['skip-me', 'keep-me']);
    expect(
      createHash('sha256')
        .update(kept[0] ?? '')
        .digest('hex'),
    ).toBe(createHash('sha256').update(second).digest('hex'));
  });

  it('fails the entry whose bytes do not match its CRC-32', async () => {
    // Prepare
    const content = Buffer.alloc(5_000, 1);
    const bytes = await buildZip([{ name: 'a/b', content, mode: 'stream-stored' }]);
    const damaged = Buffer.from(bytes);
    const at = damaged.indexOf(content.subarray(0, 64));
    damaged[at + 2_000] = 2;

    // Act
    const outcome = readAll(chunked(damaged, [1_000]));

    // Assess
    await expect(outcome).rejects.toThrow(ZipFormatError);
    await expect(readAll(chunked(damaged, [1_000]))).rejects.toThrow(/CRC-32/);
  });

  it('fails an archive that ends early', async () => {
    // Prepare
    const bytes = await buildZip([
      { name: 'a/b', content: randomBytes(10_000), mode: 'stream-stored' },
      { name: 'c/d', content: randomBytes(10_000), mode: 'buffer-stored' },
    ]);

    // Act
    const truncatedInDescriptorEntry = readAll(chunked(bytes.subarray(0, 5_000), [512]));
    const truncatedInKnownEntry = readAll(chunked(bytes.subarray(0, 15_000), [512]));

    // Assess
    await expect(truncatedInDescriptorEntry).rejects.toThrow(ZipFormatError);
    await expect(truncatedInKnownEntry).rejects.toThrow(/ends inside/);
  });
});
