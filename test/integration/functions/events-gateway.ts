/**
 * A minimal stand-in for API Gateway in front of one HTTP handler, on 127.0.0.1: each request
 * becomes a payload 2.0 event (validated by Powertools' schema in httpApiEvent) and the
 * handler's result becomes the response. The local RingCentral calls the webhook through it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { httpApiEvent, lambdaContext } from '../../support/events.ts';

/** A running gateway. */
export interface LocalGateway {
  url: string;
  /** Requests received so far. */
  requests(): number;
  stop(): Promise<void>;
}

/** Serves `handler` at `path` (any other path: 404). */
export async function startGateway(
  path: string,
  handler: (
    event: APIGatewayProxyEventV2,
    context: Context,
  ) => Promise<APIGatewayProxyStructuredResultV2>,
): Promise<LocalGateway> {
  let count = 0;
  const server = createServer(async (request, response) => {
    count += 1;
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== path) {
      response.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers[name] = value;
    }
    const body = Buffer.concat(chunks).toString('utf8');
    const event = httpApiEvent({
      method: request.method ?? 'POST',
      path: `${url.pathname}${url.search}`,
      headers,
      ...(body === '' ? {} : { body }),
    });
    const result = await handler(event, lambdaContext({ functionName: 'webhook' }));
    response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
    response.end(result.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests: () => count,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
