/** 207 Multi-Status bodies in RingCentral's two formats. */
import { randomBytes } from 'node:crypto';
import { type RequestContext, sendJson, sendText } from '../http.ts';
import { stringifyJson } from '../json.ts';

/** The JSON format's media type. */
export const MULTIPART_JSON = 'application/vnd.ringcentral.multipart+json';

/** One resource's outcome in a bulk operation. */
export interface PartResult {
  resourceId: string;
  status: number;
  /** Message record or error body. */
  body: unknown;
  /** Canonical URI of the resource (for the multipart/mixed summary). */
  href: string;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  204: 'No Content',
  400: 'Bad Request',
  404: 'Not Found',
};

/**
 * Answers 207 as `multipart/mixed` (summary part, then one part per resource) unless the client
 * asked for the JSON array with `Accept: application/vnd.ringcentral.multipart+json`.
 */
export function sendMultiStatus(context: RequestContext, results: PartResult[]): void {
  const accept = context.req.headers.accept ?? '';
  if (accept.includes(MULTIPART_JSON)) {
    const body = results.map(({ resourceId, status, body: partBody }) => ({
      resourceId,
      status,
      body: partBody,
    }));
    sendJson(context, 207, body, { 'Content-Type': MULTIPART_JSON });
    return;
  }
  const boundary = `Boundary_${randomBytes(12).toString('hex')}`;
  const summary = {
    response: results.map((result) => ({
      href: result.href,
      status: result.status,
      responseDescription: REASONS[result.status] ?? 'Error',
    })),
  };
  const parts = [summary, ...results.map((result) => result.body)].map(
    (part) => `--${boundary}\r\nContent-Type: application/json\r\n\r\n${stringifyJson(part)}\r\n`,
  );
  sendText(
    context,
    207,
    `multipart/mixed; boundary=${boundary}`,
    `${parts.join('')}--${boundary}--\r\n`,
  );
}
