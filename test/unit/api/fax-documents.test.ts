import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DocumentObjectReader, ObjectRef } from '../../../lib/api/fax-documents.ts';
import { prepareFaxAttachments } from '../../../lib/api/fax-documents.ts';
import { HttpProblem } from '../../../lib/runtime/problem.ts';

/** An object store port over a map, recording which calls were made. */
function objectStore(objects: Record<string, { headSize: number; bytes: Buffer }>) {
  const calls: string[] = [];
  const find = (ref: ObjectRef) => {
    const object = objects[`${ref.bucket}/${ref.key}`];
    if (!object) throw Object.assign(new Error('missing'), { name: 'NotFound' });
    return object;
  };
  const reader: DocumentObjectReader = {
    head: async (ref) => {
      calls.push(`head ${ref.key}`);
      return { size: find(ref).headSize };
    },
    open: async (ref) => {
      calls.push(`open ${ref.key}`);
      const object = find(ref);
      return { stream: Readable.from([object.bytes]), size: object.bytes.length };
    },
  };
  return { reader, calls };
}

async function readAll(content: unknown): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of content as AsyncIterable<Buffer>) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

describe('prepareFaxAttachments', () => {
  it('sizes S3 documents with HEAD and opens them only when the upload reads them', async () => {
    // Prepare
    const bytes = Buffer.from('%PDF-1.4 body');
    const { reader, calls } = objectStore({ 'b/scan.pdf': { headSize: bytes.length, bytes } });

    // Act
    const [attachment] = await prepareFaxAttachments([{ bucket: 'b', key: 'scan.pdf' }], reader);
    const callsBeforeReading = [...calls];
    const read = await readAll(attachment?.content);

    // Assess
    expect(callsBeforeReading).toEqual(['head scan.pdf']);
    expect(calls).toEqual(['head scan.pdf', 'open scan.pdf']);
    expect(read.equals(bytes)).toBe(true);
    expect(attachment).toMatchObject({
      fileName: 'scan.pdf',
      contentType: 'application/pdf',
      size: bytes.length,
    });
  });

  it('decodes inline documents and types them by extension unless a type is given', async () => {
    // Prepare
    const { reader } = objectStore({});

    // Act
    const attachments = await prepareFaxAttachments(
      [
        { fileName: 'a.TXT', content: Buffer.from('hi').toString('base64') },
        { fileName: 'b.bin.png', content: 'AAAA', contentType: 'image/png' },
      ],
      reader,
    );

    // Assess
    expect(attachments.map((a) => [a.fileName, a.contentType, a.size])).toEqual([
      ['a.TXT', 'text/plain', 2],
      ['b.bin.png', 'image/png', 3],
    ]);
  });

  it('fails with 413 beyond 50 MB in all and 422 for missing objects, before opening any', async () => {
    // Prepare
    const { reader, calls } = objectStore({
      'b/big.pdf': { headSize: 30 * 1024 * 1024, bytes: Buffer.alloc(1) },
    });
    const big = { bucket: 'b', key: 'big.pdf' };

    // Act
    const tooBig = await prepareFaxAttachments([big, big], reader).catch((error) => error);
    const missing = await prepareFaxAttachments([{ bucket: 'b', key: 'gone.pdf' }], reader).catch(
      (error) => error,
    );

    // Assess
    expect(tooBig).toBeInstanceOf(HttpProblem);
    expect((tooBig as HttpProblem).status).toBe(413);
    expect((missing as HttpProblem).status).toBe(422);
    expect((missing as HttpProblem).errors).toEqual([
      { field: 'documents[0].key', message: 'does not exist or cannot be read' },
    ]);
    expect(calls.filter((call) => call.startsWith('open'))).toEqual([]);
  });

  it('fails the upload if an object grew after HEAD (the size check would be void)', async () => {
    // Prepare
    const { reader } = objectStore({ 'b/s.pdf': { headSize: 4, bytes: Buffer.alloc(10) } });
    const [attachment] = await prepareFaxAttachments([{ bucket: 'b', key: 's.pdf' }], reader);

    // Act
    const error = await readAll(attachment?.content).catch((failure: unknown) => failure);

    // Assess
    expect(error).toMatchObject({ name: 'DocumentChangedError' });
  });
});
