import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sentMessageResponse } from '../../../lib/api/responses.ts';
import type { LocalS3 } from '../../support/s3rver.ts';
import { startS3rver } from '../../support/s3rver.ts';
import type { SendHarness } from './send-harness.ts';
import {
  functionEnvironment,
  newKey,
  post,
  setEnvironment,
  startSendHarness,
} from './send-harness.ts';

type SendFaxModule = typeof import('../../../functions/send-fax.ts');

const BUCKET = 'fax-documents';
const BIG_BYTES = 30 * 1024 * 1024;
const FAX_TO = '+16505550199';

/** The environment of send-fax pointed at the harness and the local S3. */
function faxEnvironment(harness: SendHarness, s3: LocalS3) {
  return functionEnvironment(harness, {
    FAX_DOCUMENT_BUCKETS: `${BUCKET},other-allowed`,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    // s3rver checks signatures made with its fixed key pair; dynalite accepts any.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  });
}

describe('send-fax against the local RingCentral, dynalite and a local S3', () => {
  let harness: SendHarness;
  let s3: LocalS3;
  let restoreEnvironment: () => void;
  let module: SendFaxModule;
  const handler = () => module.createHandler(module.dependenciesFromEnvironment());

  beforeAll(async () => {
    harness = await startSendHarness();
    s3 = await startS3rver();
    await s3.createBucket(BUCKET);
    await s3.client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'caller/scans/contract.pdf',
        Body: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(200_000, 7)]),
        ContentType: 'application/pdf',
      }),
    );
    await s3.client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'caller/big/scan.tiff',
        Body: Buffer.alloc(BIG_BYTES, 1),
      }),
    );
    await s3.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'caller/empty.pdf', Body: '' }),
    );
    restoreEnvironment = setEnvironment(faxEnvironment(harness, s3));
    vi.resetModules();
    module = await import('../../../functions/send-fax.ts');
  });

  afterAll(async () => {
    restoreEnvironment?.();
    await harness?.stop();
    await s3?.stop();
  });

  it('sends inline and S3 documents in one multipart upload and answers 202', async () => {
    // Prepare
    const inline = Buffer.from('Please sign the attached contract.\n');
    const before = harness.emulator.stats().sent.fax;

    // Act
    const result = await post(
      module.handler,
      '/fax',
      {
        to: [FAX_TO],
        coverIndex: 0,
        faxResolution: 'High',
        documents: [
          { fileName: 'note.txt', content: inline.toString('base64') },
          { bucket: BUCKET, key: 'caller/scans/contract.pdf' },
        ],
      },
      { key: newKey() },
    );

    // Assess
    expect(result.status).toBe(202);
    const body = sentMessageResponse.parse(result.body);
    expect(body.type).toBe('Fax');
    expect(harness.emulator.stats().sent.fax).toBe(before + 1);
    const stored = harness.emulator.mailbox.messages('101001').find((m) => m.id === body.id);
    // The local RingCentral counts the document bytes it received: 1 KiB per page on top.
    const documentBytes = inline.length + 9 + 200_000;
    expect(stored?.attachments[0]?.size).toBe(documentBytes + 2 * 1024);
    expect(stored?.faxResolution).toBe('High');
  });

  it('streams a large S3 document into the upload in chunks, opening it once', async () => {
    // Prepare
    const deployed = module.dependenciesFromEnvironment();
    let opened = 0;
    let chunks = 0;
    const send = module.createHandler({
      ...deployed,
      objects: {
        head: (ref) => deployed.objects.head(ref),
        open: async (ref) => {
          opened += 1;
          const object = await deployed.objects.open(ref);
          const counted = object.stream.pipe(
            new Transform({
              transform(chunk, _encoding, done) {
                chunks += 1;
                done(null, chunk);
              },
            }),
          );
          return { ...object, stream: counted };
        },
      },
    });

    // Act
    const result = await post(
      send,
      '/fax',
      { to: [FAX_TO], coverIndex: 0, documents: [{ bucket: BUCKET, key: 'caller/big/scan.tiff' }] },
      { key: newKey() },
    );

    // Assess
    expect(result.status).toBe(202);
    expect(opened).toBe(1);
    expect(chunks).toBeGreaterThan(BIG_BYTES / (1024 * 1024));
    const stored = harness.emulator.mailbox
      .messages('101001')
      .find((message) => message.id === result.body.id);
    expect(stored?.attachments[0]?.size).toBe(BIG_BYTES + 1024);
  });

  it('refuses more than 50 MB in all before sending anything (413)', async () => {
    // Prepare
    const send = handler();
    const before = harness.emulator.stats().requests;
    const big = { bucket: BUCKET, key: 'caller/big/scan.tiff' };

    // Act
    const result = await post(
      send,
      '/fax',
      { to: [FAX_TO], documents: [big, big] },
      {
        key: newKey(),
      },
    );

    // Assess
    expect(result.status).toBe(413);
    expect(result.body.errors).toEqual([
      { field: 'documents', message: expect.stringContaining(String(2 * BIG_BYTES)) },
    ]);
    expect(harness.emulator.stats().requests).toBe(before);
  });

  it('answers 422 for a missing or empty S3 object and 400 for a bucket not allowed', async () => {
    // Prepare
    const send = handler();
    const before = harness.emulator.stats().requests;
    const body = (document: object) => ({ to: [FAX_TO], documents: [document] });

    // Act
    const missing = await post(send, '/fax', body({ bucket: BUCKET, key: 'caller/nope.pdf' }), {
      key: newKey(),
    });
    const empty = await post(send, '/fax', body({ bucket: BUCKET, key: 'caller/empty.pdf' }), {
      key: newKey(),
    });
    const forbidden = await post(send, '/fax', body({ bucket: 'private-bucket', key: 'a.pdf' }), {
      key: newKey(),
    });

    // Assess
    expect([missing.status, empty.status, forbidden.status]).toEqual([422, 422, 400]);
    expect(missing.body.errors).toEqual([
      { field: 'documents[0].key', message: 'does not exist or cannot be read' },
    ]);
    expect(empty.body.errors).toEqual([
      { field: 'documents[0].key', message: 'is an empty object' },
    ]);
    expect(forbidden.body.errors).toEqual([
      { field: 'documents[0].bucket', message: 'is not a bucket this function may read' },
    ]);
    expect(harness.emulator.stats().requests).toBe(before);
  });

  it("refuses with 403 a document outside the caller's own prefix, reading nothing", async () => {
    // Prepare: the default caller is `user/caller`; another service's document is under its own.
    const send = handler();
    const before = harness.emulator.stats().requests;
    const body = (key: string) => ({ to: [FAX_TO], documents: [{ bucket: BUCKET, key }] });

    // Act
    const others = await post(send, '/fax', body('order-service/contract.pdf'), {
      key: newKey(),
    });
    const unprefixed = await post(send, '/fax', body('callerx/contract.pdf'), { key: newKey() });

    // Assess
    for (const result of [others, unprefixed]) {
      expect(result.status).toBe(403);
      expect(result.headers['content-type']).toBe('application/problem+json');
      expect(result.body.errors).toEqual([
        { field: 'documents.0.key', message: expect.stringContaining('must start with caller/') },
      ]);
    }
    expect(harness.emulator.stats().requests).toBe(before);
  });

  it('answers 413 problem+json naming the S3 alternative to a body Lambda could not take', async () => {
    // Prepare: 4.5 MB inline is over 6,000,000 bytes as base64, under Lambda's 6 MB event.
    const send = handler();
    const content = Buffer.alloc(4_500_000, 5).toString('base64');

    // Act
    const result = await post(
      send,
      '/fax',
      { to: [FAX_TO], documents: [{ fileName: 'scan.pdf', content }] },
      { key: newKey() },
    );

    // Assess
    expect(result.status).toBe(413);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(result.body.detail).toMatch(/4400000 bytes.*S3.*"bucket".*"key"/);
  });

  it('sends once for 50 concurrent identical requests with one key', async () => {
    // Prepare
    const send = handler();
    const key = newKey();
    const body = { to: [FAX_TO], documents: [{ fileName: 'a.txt', content: 'aGVsbG8=' }] };
    const before = harness.emulator.stats().sent.fax;

    // Act
    const results = await Promise.all(
      Array.from({ length: 50 }, () => post(send, '/fax', body, { key })),
    );
    const retry = await post(send, '/fax', body, { key });

    // Assess
    expect(harness.emulator.stats().sent.fax).toBe(before + 1);
    expect(results.every((result) => result.status === 202 || result.status === 409)).toBe(true);
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual(results.find((result) => result.status === 202)?.body);
  });
});

describe('send-fax against a RingCentral that cannot render a document', () => {
  let harness: SendHarness;
  let s3: LocalS3;
  let upstream: Server;
  let restoreEnvironment: () => void;
  let module: SendFaxModule;
  let receivedBytes = 0;

  beforeAll(async () => {
    // A real HTTP server answering like RingCentral: it reads the whole upload, then refuses it.
    upstream = createServer((request, response) => {
      request.on('data', (chunk: Buffer) => {
        receivedBytes += chunk.length;
      });
      request.on('end', () => {
        response.writeHead(415, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            errorCode: 'MSG-348',
            message: 'Unsupported attachment type',
            errors: [{ errorCode: 'MSG-348', message: 'Unsupported attachment type' }],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    harness = await startSendHarness(
      undefined,
      `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    );
    s3 = await startS3rver();
    restoreEnvironment = setEnvironment(faxEnvironment(harness, s3));
    vi.resetModules();
    module = await import('../../../functions/send-fax.ts');
  });

  afterAll(async () => {
    restoreEnvironment?.();
    await harness?.stop();
    await s3?.stop();
    upstream?.closeAllConnections();
    await new Promise<void>((resolve) => upstream?.close(() => resolve()));
  });

  it('maps MSG-348 to 415 problem+json', async () => {
    // Prepare
    const send = module.createHandler(module.dependenciesFromEnvironment());

    // Act
    const result = await post(
      send,
      '/fax',
      { to: [FAX_TO], documents: [{ fileName: 'odd.doc', content: 'AAAA' }] },
      { key: newKey() },
    );

    // Assess
    expect(result.status).toBe(415);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(result.body.title).toBe('Unsupported document type');
    expect(receivedBytes).toBeGreaterThan(0);
  });
});
