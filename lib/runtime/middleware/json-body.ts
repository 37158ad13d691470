import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from '../../validation/zod.ts';
import { fieldErrorsOf, HttpProblem, ProblemType } from '../problem.ts';

/** API Gateway's own request payload limit. */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Size of the body as sent, before any decoding. */
export function bodyBytes(event: APIGatewayProxyEventV2): number {
  const body = event.body ?? '';
  return event.isBase64Encoded ? Buffer.byteLength(body, 'base64') : Buffer.byteLength(body);
}

function invalid(message: string, field = '(body)'): HttpProblem {
  return new HttpProblem({
    status: 400,
    title: 'Invalid request',
    type: ProblemType.validation,
    errors: [{ field, message }],
  });
}

/**
 * Parses and validates a JSON request body: wrong content type -> 415, too large -> 413,
 * invalid UTF-8 or JSON -> 400, schema violations -> 400 with field errors. On success the event's
 * `body` is replaced by the validated value (as middy's JSON parser does), so that idempotency
 * payload validation hashes the parsed body, not its formatting.
 *
 * Plain `JSON.parse`, on purpose: our API's bodies are typed strictly, so a JSON number where the
 * schema wants a string (an id, a phone number, a text, base64 content) must reach the schema as
 * a number and be refused. The client's exact-id parser (`parseJson`) turns integers into digit
 * strings; it is for RingCentral's responses, never for what callers send.
 */
export function jsonBody(options: {
  schema: z.$ZodType;
  maxBytes?: number;
  /** What the 413 answer tells the caller to do instead; default the limit alone. */
  tooLargeDetail?: string;
  /** An absent or empty body is validated as `undefined` (e.g. a webhook handshake). */
  allowEmptyBody?: boolean;
}): MiddlewareObj<APIGatewayProxyEventV2> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  return {
    before: (request) => {
      const event = request.event;
      if (options.allowEmptyBody && (event.body === undefined || event.body === '')) {
        validate(event, options.schema, undefined);
        return;
      }
      const contentType = event.headers?.['content-type'];
      if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType)) {
        throw new HttpProblem({
          status: 415,
          title: 'Unsupported media type',
          detail: 'Send the body as application/json.',
        });
      }
      if (bodyBytes(event) > maxBytes) {
        throw new HttpProblem({
          status: 413,
          title: 'Content too large',
          detail: options.tooLargeDetail ?? `The body may hold at most ${maxBytes} bytes.`,
        });
      }
      if (event.body === undefined || event.body === '') throw invalid('is required');
      let text: string;
      try {
        text = event.isBase64Encoded ? utf8.decode(Buffer.from(event.body, 'base64')) : event.body;
      } catch {
        throw invalid('is not valid UTF-8');
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw invalid('is not valid JSON');
      }
      validate(event, options.schema, parsed);
    },
  };
}

/** Validates `value` and replaces the event's body with the result. */
function validate(event: APIGatewayProxyEventV2, schema: z.$ZodType, value: unknown): void {
  const result = z.safeParse(schema, value);
  if (!result.success) {
    throw new HttpProblem({
      status: 400,
      title: 'Invalid request',
      type: ProblemType.validation,
      errors: fieldErrorsOf(result.error),
    });
  }
  (event as { body: unknown }).body = result.data;
  event.isBase64Encoded = false;
}
