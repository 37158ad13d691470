import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { Functions, PowertoolsFunctions } from '@aws-lambda-powertools/jmespath/functions';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { idempotencyJmesPathFunctions } from '../../aws/idempotency.ts';
import { callerPrincipal } from '../caller.ts';
import { HttpProblem, mayHaveBeenDelivered, ProblemType, problemResponse } from '../problem.ts';
import { requestIdOf } from './problem-responder.ts';

/** How long a key is remembered by default: a day covers any client's retry policy. */
export const DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS = 24 * 60 * 60;

/**
 * What identifies a request: the IAM caller's principal (its role, not the assumed-role session;
 * null when unauthenticated) and its key.
 */
export const IDEMPOTENCY_KEY_JMESPATH =
  '[caller_principal(requestContext.authorizer.iam.userArn), headers."idempotency-key"]';

/** Powertools' JMESPath functions and `caller_principal`, the one {@link callerPrincipal}. */
class CallerFunctions extends PowertoolsFunctions {
  funcCallerPrincipal(userArn: string | null): string | null {
    return userArn === null ? null : callerPrincipal(userArn);
  }
}
// What Powertools' own functions get from their decorator: arity and types checked per call.
const callerPrincipalMethod = Object.getOwnPropertyDescriptor(
  CallerFunctions.prototype,
  'funcCallerPrincipal',
) as PropertyDescriptor;
Functions.signature({ argumentsSpecs: [['string', 'null']] })(
  CallerFunctions.prototype,
  'funcCallerPrincipal',
  callerPrincipalMethod,
);
Object.defineProperty(CallerFunctions.prototype, 'funcCallerPrincipal', callerPrincipalMethod);

/** Header set on a response replayed from the idempotency store. */
export const REPLAYED_HEADER = 'idempotent-replayed';

const OWNS_RECORD = 'runtime.idempotency.ownsRecord';

/** Options of {@link idempotentRequest}. */
export interface IdempotentRequestOptions {
  persistence: BasePersistenceLayer;
  expiresAfterSeconds?: number;
  /** Prefix of the hashed key (the service): routes sharing a table never share keys. */
  keyPrefix: string;
  /** Where failures to update the record are reported. */
  logger?: Logger;
}

/**
 * The send may have reached RingCentral although we saw no answer: releasing the key would let
 * an immediate retry send twice, so the key is kept until it expires.
 */
export function isAmbiguousSend(error: unknown): boolean {
  if (mayHaveBeenDelivered(error)) return true;
  return error instanceof Error && error.cause !== undefined && isAmbiguousSend(error.cause);
}

function markReplayed(response: unknown): unknown {
  if (response === null || typeof response !== 'object') return response;
  const structured = response as APIGatewayProxyStructuredResultV2;
  return { ...structured, headers: { ...structured.headers, [REPLAYED_HEADER]: 'true' } };
}

/**
 * Powertools idempotency keyed by the IAM caller's principal and the Idempotency-Key header, with the parsed body as the
 * validated payload (same key, different body -> IdempotencyValidationError -> 422). A concurrent
 * duplicate gets IdempotencyAlreadyInProgressError (-> 409); a repeat after completion returns
 * the stored response with `idempotent-replayed: true`.
 *
 * Two changes to Powertools' middleware: a failure before this invocation owned the record
 * (e.g. the 409 case) never deletes the other invocation's in-progress record; and an ambiguous
 * send (TransportError with mayHaveBeenReceived, or a deadline/abort during the exchange of a
 * POST) is stored as a 502 "outcome unknown" answer that
 * every repeat receives until the key expires, instead of being released for a blind resend.
 * Other errors (validation, auth, limits) release the key as usual.
 */
export function idempotentRequest(
  options: IdempotentRequestOptions,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const expiresAfterSeconds = options.expiresAfterSeconds ?? DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS;
  const config = new IdempotencyConfig({
    // Scoped by the IAM caller's principal: two callers choosing the same key must not see each
    // other's answer, and one service retrying from another session must see its own.
    eventKeyJmesPath: IDEMPOTENCY_KEY_JMESPATH,
    payloadValidationJmesPath: 'body',
    jmesPathOptions: idempotencyJmesPathFunctions(new CallerFunctions()),
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds,
    responseHook: (response) => markReplayed(response) as typeof response,
  });
  const inner = makeHandlerIdempotent({
    persistenceStore: options.persistence,
    config,
    keyPrefix: options.keyPrefix,
  });
  type HttpRequest = Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;
  const internal = (request: HttpRequest) => request.internal as Record<string, unknown>;
  return {
    before: async (request) => {
      const stored = await inner.before?.(request as never);
      if (stored === undefined) internal(request)[OWNS_RECORD] = true;
      return stored as APIGatewayProxyStructuredResultV2 | undefined;
    },
    after: async (request) => {
      await inner.after?.(request as never);
    },
    onError: async (request) => {
      if (internal(request)[OWNS_RECORD] !== true) return;
      if (isAmbiguousSend(request.error)) {
        const retryableAt = new Date(Date.now() + expiresAfterSeconds * 1000).toISOString();
        const problem = new HttpProblem({
          status: 502,
          title: 'Outcome unknown',
          detail:
            'The connection to RingCentral failed after the request was sent, so it may have been ' +
            'delivered. This Idempotency-Key keeps returning this answer until ' +
            `${retryableAt}; check the message store before sending again with a new key.`,
          type: ProblemType.outcomeUnknown,
          cause: request.error,
        });
        const response = problemResponse(problem, requestIdOf(request.event));
        request.error = problem;
        try {
          await inner.after?.({ ...request, response } as never);
        } catch (error) {
          // The in-progress record still blocks repeats until the invocation's time is up.
          options.logger?.error('Could not store the outcome-unknown answer', { error });
        }
        return;
      }
      try {
        await inner.onError?.(request as never);
      } catch (error) {
        // Keep answering with the handler's error; the record expires with the invocation.
        options.logger?.warn('Could not release the idempotency record', { error });
      }
    },
  };
}
