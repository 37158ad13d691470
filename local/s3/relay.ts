/** Passing s3rver's answers on to the caller, with the headers the stand-in adds. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { BackendAnswer } from './backend.ts';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name)) kept[name] = value;
  }
  return kept;
}

/** Sends a buffered answer on (a HEAD answer keeps its Content-Length: it describes the object). */
export function relayAnswer(
  response: ServerResponse,
  answer: BackendAnswer,
  method: string | undefined,
  extra: Record<string, string> = {},
): void {
  const headers = { ...endToEnd(answer.headers), ...extra };
  if (method !== 'HEAD') headers['content-length'] = String(answer.body.length);
  response.writeHead(answer.status, headers);
  response.end(method === 'HEAD' ? undefined : answer.body);
}

/** Streams an answer on as it arrives. */
export function relayStream(
  response: ServerResponse,
  answer: IncomingMessage,
  extra: Record<string, string> = {},
): void {
  const headers = { ...answer.headers, ...extra };
  delete headers.connection;
  delete headers['keep-alive'];
  response.writeHead(answer.statusCode ?? 502, headers);
  answer.once('error', (error) => response.destroy(error));
  // A caller gone mid-body must not leave s3rver's answer paused on an open socket.
  response.once('close', () => {
    if (!answer.complete) answer.destroy();
  });
  answer.pipe(response);
}

/** A small request body (an XML document) as text. */
export async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
