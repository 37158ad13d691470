/**
 * The object store against a store that computes checksums, as S3 does (s3rver does not): a
 * small S3 stand-in on 127.0.0.1 that decodes the SDK's aws-chunked body, keeps the trailing
 * SHA-256 checksum and answers it back, or a wrong one when told to.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createS3ObjectStore,
  ObjectChecksumMismatchError,
} from '../../../lib/aws/s3-object-store.ts';

interface ReceivedPut {
  body: Buffer;
  checksum: string | undefined;
}

/** Decodes `size;ext\r\n data \r\n ... 0\r\n trailer\r\n\r\n` into the bytes and the trailers. */
function decodeAwsChunked(raw: Buffer): { body: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    const size = Number.parseInt(raw.subarray(offset, lineEnd).toString().split(';')[0] ?? '', 16);
    offset = lineEnd + 2;
    if (size === 0) break;
    parts.push(raw.subarray(offset, offset + size));
    offset += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.subarray(offset).toString().split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('the S3 object store where the client computes checksums', () => {
  let server: Server;
  let client: S3Client;
  const received: ReceivedPut[] = [];
  let answerWrongChecksum = false;

  beforeAll(async () => {
    server = createServer((request, response) => {
      void readAll(request).then((raw) => {
        const chunked = String(request.headers['content-encoding'] ?? '').includes('aws-chunked');
        const { body, trailers } = chunked ? decodeAwsChunked(raw) : { body: raw, trailers: {} };
        const checksum =
          trailers['x-amz-checksum-sha256'] ??
          (request.headers['x-amz-checksum-sha256'] as string | undefined);
        received.push({ body, checksum });
        const answered = answerWrongChecksum
          ? createHash('sha256').update('other bytes').digest('base64')
          : checksum;
        response.writeHead(200, {
          etag: `"${createHash('md5').update(body).digest('hex')}"`,
          ...(answered ? { 'x-amz-checksum-sha256': answered } : {}),
        });
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new S3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestChecksumCalculation: 'WHEN_SUPPORTED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });

  afterAll(async () => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('streams the body with a SHA-256 checksum of its bytes and accepts the answer', async () => {
    // Prepare
    const bytes = randomBytes(3 * 1024 * 1024 + 11);
    const store = createS3ObjectStore({ bucket: 'archive', client });
    received.length = 0;
    answerWrongChecksum = false;

    // Act
    const written = await store.put('a/object.bin', Readable.from([bytes]), {
      size: bytes.length,
    });

    // Assess
    const expected = createHash('sha256').update(bytes);
    expect(received).toHaveLength(1);
    expect(received[0]?.body.equals(bytes)).toBe(true);
    expect(received[0]?.checksum).toBe(expected.copy().digest('base64'));
    expect(written.sha256).toBe(expected.digest('hex'));
  });

  it("rejects a put whose stored checksum differs from the bytes' sha256", async () => {
    // Prepare
    const store = createS3ObjectStore({ bucket: 'archive', client });
    answerWrongChecksum = true;

    // Act
    const attempt = store.put('a/text.json', '{"schemaVersion":1}\n', {});

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ObjectChecksumMismatchError);
  });
});
