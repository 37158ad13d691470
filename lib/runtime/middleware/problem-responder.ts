import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MetricName } from '../metrics.ts';
import { ProblemType, problemResponse, toProblem } from '../problem.ts';

/** The API Gateway request id, the one correlation id a caller sees (also in `x-request-id`). */
export function requestIdOf(event: APIGatewayProxyEventV2 | undefined): string | undefined {
  const id = event?.requestContext?.requestId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * Turns any error into an RFC 9457 problem response. Caller faults (4xx) are logged at info,
 * our faults and RingCentral's (5xx) at error with the error (redacted by the logger); the
 * response never carries a stack or an input value.
 */
export function problemResponder(options: {
  logger: Logger;
  metrics: Metrics;
}): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const problem = toProblem(request.error);
      const requestId = requestIdOf(request.event);
      if (problem.status >= 500) {
        options.metrics.addMetric(MetricName.httpServerErrors, MetricUnit.Count, 1);
        // A sender found unusable was logged once as an error when found; each refusal is a warning.
        const level = problem.type === ProblemType.senderNotUsable ? 'warn' : 'error';
        options.logger[level]('Request failed', {
          status: problem.status,
          title: problem.title,
          error: request.error,
        });
      } else {
        options.metrics.addMetric(MetricName.httpClientErrors, MetricUnit.Count, 1);
        options.logger.info('Request rejected', {
          status: problem.status,
          title: problem.title,
          errors: problem.errors,
        });
      }
      // Set, not returned: returning would stop the outer onError middlewares (logger, metrics).
      request.response = problemResponse(problem, requestId);
    },
  };
}
