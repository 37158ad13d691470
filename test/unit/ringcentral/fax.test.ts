import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { afterEach, describe, expect, it } from 'vitest';
import { createRingCentral, staticTokenSource } from '../../../lib/ringcentral/index.ts';
import type { TestServer } from './support/http-server.ts';
import { sendJson, startServer } from './support/http-server.ts';

interface ParsedForm {
  fields: Array<[string, string]>;
  files: Array<{
    field: string;
    fileName: string;
    contentType: string;
    sha256: string;
    size: number;
  }>;
}

/** Parses a multipart/form-data request with busboy, as a server would. */
function parseForm(raw: import('node:http').IncomingMessage): Promise<ParsedForm> {
  return new Promise((resolve, reject) => {
    const form: ParsedForm = { fields: [], files: [] };
    const parser = busboy({ headers: raw.headers });
    parser.on('field', (name, value) => form.fields.push([name, value]));
    parser.on('file', (field, stream, info) => {
      const hash = createHash('sha256');
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      stream.on('end', () =>
        form.files.push({
          field,
          fileName: info.filename ?? '',
          contentType: info.mimeType,
          sha256: hash.digest('hex'),
          size,
        }),
      );
    });
    parser.on('close', () => resolve(form));
    parser.on('error', reject);
    raw.pipe(parser);
  });
}

describe('fax multipart', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('streams documents from buffers and streams with names, types and every option', async () => {
    // Prepare
    let parsed: ParsedForm | undefined;
    server = await startServer(
      async (_request, response, raw) => {
        parsed = await parseForm(raw);
        sendJson(response, 200, { id: 9182736450918273645n.toString(), messageStatus: 'Queued' });
      },
      { streamBody: true },
    );
    const rc = createRingCentral({ server: server.url, tokenSource: staticTokenSource('t') });
    const pdf = Buffer.from('%PDF-1.4 first document');
    const tiffBytes = Buffer.alloc(300_000, 7);
    const sendTime = '2030-01-02T03:04:05.000Z';

    // Act
    const sent = await rc.fax.send({
      to: ['+16505550101', '+442071838750'],
      attachments: [
        { fileName: 'cover "letter".pdf', contentType: 'application/pdf', content: pdf },
        {
          fileName: 'scan.tiff',
          contentType: 'image/tiff',
          content: Readable.from([tiffBytes.subarray(0, 100_000), tiffBytes.subarray(100_000)]),
        },
      ],
      faxResolution: 'High',
      coverIndex: 3,
      coverPageText: 'Für Sie',
      sendTime,
      isoCode: 'US',
    });

    // Assess
    expect(sent.id).toBe('9182736450918273645');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.path).toBe('/restapi/v1.0/account/~/extension/~/fax');
    expect(String(server.requests[0]!.headers['content-type'])).toMatch(
      /^multipart\/form-data; boundary=/,
    );
    expect(parsed!.fields).toEqual([
      ['to', '+16505550101'],
      ['to', '+442071838750'],
      ['faxResolution', 'High'],
      ['sendTime', sendTime],
      ['isoCode', 'US'],
      ['coverIndex', '3'],
      ['coverPageText', 'Für Sie'],
    ]);
    const digest = (buffer: Buffer) => createHash('sha256').update(buffer).digest('hex');
    expect(parsed!.files).toEqual([
      {
        field: 'attachment',
        fileName: 'cover %22letter%22.pdf',
        contentType: 'application/pdf',
        sha256: digest(pdf),
        size: pdf.length,
      },
      {
        field: 'attachment',
        fileName: 'scan.tiff',
        contentType: 'image/tiff',
        sha256: digest(tiffBytes),
        size: tiffBytes.length,
      },
    ]);
  });

  it('does not repeat a fax built from a stream when the answer is a 503', async () => {
    // Prepare
    server = await startServer((_request, response) =>
      sendJson(response, 503, { errors: [{ errorCode: 'CMN-211', message: 'unavailable' }] }),
    );
    const rc = createRingCentral({
      server: server.url,
      tokenSource: staticTokenSource('t'),
      limits: { backoff: { baseMs: 10 } },
    });

    // Act
    const attempt = rc.fax.send({
      to: ['+16505550101'],
      attachments: [
        {
          fileName: 'a.pdf',
          contentType: 'application/pdf',
          content: Readable.from([Buffer.from('%PDF')]),
        },
      ],
    });

    // Assess
    await expect(attempt).rejects.toMatchObject({ status: 503 });
    expect(server.requests).toHaveLength(1);
  });

  it('lists the fax cover pages', async () => {
    // Prepare
    server = await startServer((_request, response) =>
      sendJson(response, 200, {
        records: [
          { id: '0', name: 'None' },
          { id: '3', name: 'Urgent' },
        ],
      }),
    );
    const rc = createRingCentral({ server: server.url, tokenSource: staticTokenSource('t') });

    // Act
    const pages = await rc.fax.coverPages();

    // Assess
    expect(pages.map((page) => page.name)).toEqual(['None', 'Urgent']);
    expect(server.requests[0]!.path).toBe('/restapi/v1.0/dictionary/fax-cover-page');
  });
});
