import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the test server saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  at: number;
}

/** A real HTTP server on 127.0.0.1 with an ephemeral port, for one test. */
export interface TestServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** Handles one request; the body is already read unless `streamBody` is set. */
export type Handler = (
  request: SeenRequest,
  response: ServerResponse,
  raw: IncomingMessage,
) => void | Promise<void>;

/** Starts a server that records every request and hands it to `handler`. */
export async function startServer(
  handler: Handler,
  options: { streamBody?: boolean } = {},
): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const server = createServer(async (raw, response) => {
    const url = new URL(raw.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    if (!options.streamBody) for await (const chunk of raw) chunks.push(chunk as Buffer);
    const seen: SeenRequest = {
      method: raw.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: raw.headers,
      body: Buffer.concat(chunks),
      at: Date.now(),
    };
    requests.push(seen);
    try {
      await handler(seen, response, raw);
    } catch (error) {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: [{ errorCode: 'TEST-500', message: String(error) }] }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Sends a JSON body. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(text);
}

/**
 * RingCentral's sliding-log rate limit for one group, as the server keeps it: answers the
 * X-Rate-Limit headers and 429 with Retry-After once the window is full.
 */
export class SlidingWindow {
  private log: number[] = [];
  tooMany = 0;
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly penaltyMs: number,
  ) {}

  /** Counts a request from someone else (another process spending the same budget). */
  spend(count: number, now = Date.now()): void {
    for (let index = 0; index < count; index += 1) this.log.push(now);
  }

  /** Admits or refuses a request; returns the headers to send and whether it was refused. */
  admit(now = Date.now()): { refused: boolean; headers: Record<string, string> } {
    this.log = this.log.filter((at) => at > now - this.windowMs);
    const base = {
      'x-rate-limit-group': 'Light',
      'x-rate-limit-limit': String(this.limit),
      'x-rate-limit-window': String(this.windowMs / 1000),
    };
    if (this.log.length >= this.limit) {
      this.tooMany += 1;
      return {
        refused: true,
        headers: {
          ...base,
          'x-rate-limit-remaining': '0',
          'retry-after': String(this.penaltyMs / 1000),
        },
      };
    }
    this.log.push(now);
    return {
      refused: false,
      headers: { ...base, 'x-rate-limit-remaining': String(this.limit - this.log.length) },
    };
  }
}
