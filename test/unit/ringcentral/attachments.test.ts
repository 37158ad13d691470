import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createRingCentral, staticTokenSource } from '../../../lib/ringcentral/index.ts';
import type { TestServer } from './support/http-server.ts';
import { startServer } from './support/http-server.ts';

const SIZE = 3 * 1024 * 1024 + 123;

/** Deterministic bytes: the same offset always holds the same byte. */
function bytesAt(start: number, end: number): Buffer {
  const buffer = Buffer.alloc(end - start);
  for (let index = 0; index < buffer.length; index += 1)
    buffer[index] = ((start + index) * 31 + 7) & 0xff;
  return buffer;
}

function sha256(buffer: Buffer): string {
  return createHash('sha256').update(buffer).digest('hex');
}

/** Serves the file with Range support; the first `drops` responses die after `dropAfter` bytes. */
async function mediaServer(drops: number, dropAfter: number): Promise<TestServer> {
  let dropped = 0;
  return startServer(async (request, response, raw) => {
    const match = /^bytes=(\d+)-(\d*)$/.exec(String(request.headers.range ?? ''));
    const start = match ? Number(match[1]) : 0;
    const end = match?.[2] ? Number(match[2]) + 1 : SIZE;
    const headers: Record<string, string | number> = {
      'content-type': 'audio/mpeg',
      'content-length': end - start,
      'content-disposition': 'attachment; filename="voicemail.mp3"',
      'x-rate-limit-limit': 40,
      'x-rate-limit-remaining': 39,
      'x-rate-limit-window': 60,
    };
    if (match) headers['content-range'] = `bytes ${start}-${end - 1}/${SIZE}`;
    response.writeHead(match ? 206 : 200, headers);
    if (dropped < drops) {
      dropped += 1;
      response.write(bytesAt(start, start + dropAfter));
      await new Promise((resolve) => setTimeout(resolve, 20));
      raw.socket.destroy();
      return;
    }
    // Written in pieces, as a real server streams.
    for (let offset = start; offset < end; offset += 256 * 1024) {
      if (!response.write(bytesAt(offset, Math.min(end, offset + 256 * 1024)))) {
        await new Promise((resolve) => response.once('drain', resolve));
      }
    }
    response.end();
  });
}

describe('attachment content', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('resumes from the byte it reached after the server drops the socket mid-body', async () => {
    // Prepare
    server = await mediaServer(2, 1024 * 1024);
    const resumes: number[] = [];
    const rc = createRingCentral({
      server: 'http://127.0.0.1:9',
      mediaServer: server.url,
      tokenSource: staticTokenSource('t'),
    });

    // Act
    const content = await rc.attachments.read(
      { messageId: '42', attachmentId: '7' },
      { onResume: (info) => resumes.push(info.offset) },
    );
    const chunks: Buffer[] = [];
    let largestChunk = 0;
    for await (const chunk of content.stream) {
      chunks.push(chunk as Buffer);
      largestChunk = Math.max(largestChunk, (chunk as Buffer).length);
    }
    const received = Buffer.concat(chunks);

    // Assess
    expect(received.length).toBe(SIZE);
    expect(sha256(received)).toBe(sha256(bytesAt(0, SIZE)));
    expect(content.size).toBe(SIZE);
    expect(content.fileName).toBe('voicemail.mp3');
    expect(content.contentType).toBe('audio/mpeg');
    expect(server.requests).toHaveLength(3);
    expect(server.requests[0]!.path).toBe(
      '/restapi/v1.0/account/~/extension/~/message-store/42/content/7',
    );
    expect(server.requests[0]!.headers.range).toBeUndefined();
    expect(resumes).toHaveLength(2);
    expect(server.requests[1]!.headers.range).toBe(`bytes=${resumes[0]}-`);
    expect(server.requests[2]!.headers.range).toBe(`bytes=${resumes[1]}-`);
    expect(resumes[0]).toBeGreaterThan(0);
    expect(largestChunk).toBeLessThan(SIZE);
  });

  it('sends a download through the hooks, the fetch option and the bearer token like any request', async () => {
    // Prepare
    server = await mediaServer(1, 1000);
    const requested: string[] = [];
    const answered: number[] = [];
    const fetched: string[] = [];
    const rc = createRingCentral({
      server: 'http://127.0.0.1:9',
      mediaServer: `${server.url}/`,
      tokenSource: staticTokenSource('t'),
      hooks: {
        onRequest: (info) => requested.push(`${info.method} ${info.url} ${info.group}`),
        onResponse: (info) => answered.push(info.status),
      },
      fetch: (input, init) => {
        fetched.push(String(input));
        return fetch(input, init);
      },
    });

    // Act
    const content = await rc.attachments.read({ messageId: '42', attachmentId: '7' });
    const chunks: Buffer[] = [];
    for await (const chunk of content.stream) chunks.push(chunk as Buffer);

    // Assess
    const url = `${server.url}/restapi/v1.0/account/~/extension/~/message-store/42/content/7`;
    expect(Buffer.concat(chunks).equals(bytesAt(0, SIZE))).toBe(true);
    expect(requested).toEqual([`GET ${url} Medium`, `GET ${url} Medium`]);
    expect(answered).toEqual([200, 206]);
    expect(fetched).toEqual([url, url]);
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([
      'Bearer t',
      'Bearer t',
    ]);
    expect(server.requests.map((request) => request.headers.accept)).toEqual(['*/*', '*/*']);
  });

  it('reads a byte range and resumes within it', async () => {
    // Prepare
    server = await mediaServer(1, 1000);
    const rc = createRingCentral({ server: server.url, tokenSource: staticTokenSource('t') });

    // Act
    const content = await rc.attachments.read(
      { uri: `${server.url}/restapi/v1.0/account/1/extension/2/message-store/3/content/4` },
      { range: { start: 5_000, end: 104_999 } },
    );
    const chunks: Buffer[] = [];
    for await (const chunk of content.stream) chunks.push(chunk as Buffer);

    // Assess
    expect(content.status).toBe(206);
    expect(content.size).toBe(100_000);
    expect(content.totalSize).toBe(SIZE);
    expect(Buffer.concat(chunks).equals(bytesAt(5_000, 105_000))).toBe(true);
    expect(server.requests.map((request) => request.headers.range)).toEqual([
      'bytes=5000-104999',
      'bytes=6000-104999',
    ]);
  });

  it('reads no further ahead of a consumer that stops reading than socket buffers hold', async () => {
    // Prepare
    const total = 128 * 1024 * 1024;
    const piece = Buffer.alloc(256 * 1024, 0x5a);
    let written = 0;
    let finished = false;
    server = await startServer(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'audio/wav', 'content-length': total });
      while (written < total && !response.destroyed) {
        written += piece.length;
        if (!response.write(piece)) {
          await new Promise<void>((resolve) => {
            const settle = () => {
              response.off('drain', settle);
              response.off('close', settle);
              resolve();
            };
            response.on('drain', settle);
            response.on('close', settle);
          });
        }
      }
      finished = written >= total;
      response.end();
    });
    const rc = createRingCentral({ server: server.url, tokenSource: staticTokenSource('t') });

    // Act
    const content = await rc.attachments.read({ messageId: '42', attachmentId: '7' });
    const iterator = content.stream[Symbol.asyncIterator]();
    const firstChunk = await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const writtenWhilePaused = written;
    await iterator.return?.();

    // Assess
    expect(firstChunk.done).toBe(false);
    expect(content.size).toBe(total);
    // Kernel socket buffers on loopback take a few MiB; a client buffering the body would let
    // the server write all 128 MiB.
    expect(writtenWhilePaused).toBeLessThan(32 * 1024 * 1024);
    expect(finished).toBe(false);
    expect(content.stream.destroyed).toBe(true);
  });
});
