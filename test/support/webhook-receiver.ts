import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the receiver answers the `Validation-Token` handshake; `too-slow` answers only when it closes. */
export type HandshakeBehaviour = 'echo' | 'wrong-echo' | 'no-echo' | 'status-500' | 'too-slow';

/** One POST the receiver got. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook endpoint on 127.0.0.1:0 that records every notification it receives. */
export interface WebhookReceiver {
  url: string;
  /** Notifications received (requests without a `Validation-Token` header). */
  notifications: ReceivedRequest[];
  /** Handshakes received. */
  handshakes: ReceivedRequest[];
  setBehaviour(behaviour: HandshakeBehaviour): void;
  close(): Promise<void>;
}

/** Starts a webhook receiver; the caller must `close()` it. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let behaviour: HandshakeBehaviour = 'echo';
  // A too-slow answer waits for close, not for a time, so any handshake timeout sees it late.
  const closing = Promise.withResolvers<void>();
  const notifications: ReceivedRequest[] = [];
  const handshakes: ReceivedRequest[] = [];
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const received = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
    const token = request.headers['validation-token'];
    if (typeof token !== 'string') {
      notifications.push(received);
      response.writeHead(200).end();
      return;
    }
    handshakes.push(received);
    if (behaviour === 'too-slow') {
      await closing.promise;
      response.destroy();
      return;
    }
    if (behaviour === 'status-500') {
      response.writeHead(500, { 'Validation-Token': token }).end();
    } else if (behaviour === 'wrong-echo') {
      response.writeHead(200, { 'Validation-Token': `${token}-not` }).end();
    } else if (behaviour === 'no-echo') {
      response.writeHead(200).end();
    } else {
      response.writeHead(200, { 'Validation-Token': token }).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    notifications,
    handshakes,
    setBehaviour(next) {
      behaviour = next;
    },
    async close() {
      closing.resolve();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
