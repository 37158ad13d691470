/**
 * Requests to the s3rver behind the stand-in. Requests the stand-in rewrites (to another key or
 * bucket) go unsigned: s3rver checks a signature only when there is one, and the stand-in has
 * already taken the caller's.
 */
import { type IncomingHttpHeaders, type IncomingMessage, request } from 'node:http';
import type { Readable } from 'node:stream';

/** A buffered answer of s3rver. */
export interface BackendAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The headers a rewritten request must not carry to s3rver. */
const DROPPED = new Set([
  'host',
  'authorization',
  'connection',
  'x-amz-bypass-governance-retention',
  'x-amz-bucket-object-lock-enabled',
]);

/** The caller's headers fit for a rewritten request: no signature, no Object Lock headers. */
export function forwardableHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (DROPPED.has(name) || name.startsWith('x-amz-object-lock-')) continue;
    kept[name] = value;
  }
  return kept;
}

/** Encodes a key for a path, segment by segment, as the SDK does. */
export function keyPath(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/** s3rver on `host:port`. */
export class Backend {
  private readonly host: string;
  private readonly port: number;
  constructor(host: string, port: number) {
    this.host = host;
    this.port = port;
  }

  /** Sends a request and returns s3rver's answer unread. */
  open(
    method: string,
    path: string,
    headers: IncomingHttpHeaders = {},
    body?: Readable | Buffer | string,
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const outgoing = request(
        { host: this.host, port: this.port, method, path, headers },
        resolve,
      );
      outgoing.once('error', reject);
      if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
        outgoing.end(body);
        return;
      }
      body.once('error', (error) => outgoing.destroy(error));
      body.pipe(outgoing);
    });
  }

  /** Sends a request and reads the whole answer (small answers only). */
  async call(
    method: string,
    path: string,
    headers: IncomingHttpHeaders = {},
    body?: Readable | Buffer | string,
  ): Promise<BackendAnswer> {
    const answer = await this.open(method, path, headers, body);
    const chunks: Buffer[] = [];
    for await (const chunk of answer) chunks.push(chunk as Buffer);
    return {
      status: answer.statusCode ?? 500,
      headers: answer.headers,
      body: Buffer.concat(chunks),
    };
  }

  /** Copies an object server-side (s3rver's CopyObject keeps bytes, type and metadata). */
  async copy(from: string, to: string): Promise<void> {
    // s3rver reads the source with decodeURI, which leaves `%26` and the like encoded.
    const source = encodeURI(decodeURIComponent(from));
    const answer = await this.call('PUT', to, {
      'x-amz-copy-source': source,
      'content-length': '0',
    });
    if (answer.status !== 200) {
      throw new Error(`s3rver could not copy ${from} to ${to}: ${answer.status} ${answer.body}`);
    }
  }

  /** Deletes an object (absent is fine). */
  async delete(path: string): Promise<void> {
    const answer = await this.call('DELETE', path);
    if (answer.status >= 300 && answer.status !== 404) {
      throw new Error(`s3rver could not delete ${path}: ${answer.status}`);
    }
  }
}
