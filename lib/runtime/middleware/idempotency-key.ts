import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpProblem, ProblemType } from '../problem.ts';

/** The (lower-case, normalised) header that carries the key. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** Visible ASCII only: the key is stored and compared byte for byte. */
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;

/** Rejects a request without a usable Idempotency-Key header (400, field `idempotency-key`). */
export function requireIdempotencyKey(): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: (request) => {
      const key = request.event.headers?.[IDEMPOTENCY_KEY_HEADER];
      if (key === undefined || key === '') {
        throw new HttpProblem({
          status: 400,
          title: 'Invalid request',
          type: ProblemType.validation,
          detail: 'An Idempotency-Key header is required.',
          errors: [{ field: IDEMPOTENCY_KEY_HEADER, message: 'is required' }],
        });
      }
      if (!VALID_KEY.test(key)) {
        throw new HttpProblem({
          status: 400,
          title: 'Invalid request',
          type: ProblemType.validation,
          errors: [
            {
              field: IDEMPOTENCY_KEY_HEADER,
              message: 'must be 1 to 255 visible ASCII characters',
            },
          ],
        });
      }
    },
  };
}
