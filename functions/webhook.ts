/**
 * webhook (POST /webhook, public): RingCentral's endpoint. Answers the Validation-Token
 * handshake at once; every delivery must carry the subscription's Verification-Token (compared
 * in constant time); each notification becomes one EventBridge event (a summary, no message
 * text unless configured) and its new message ids go to the archive function.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { createEventPublisher, type EventPublisher } from '../lib/aws/events.ts';
import { type AsyncInvoker, createAsyncInvoker } from '../lib/aws/invoker.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import { createLogger } from '../lib/runtime/logger.ts';
import { createMetrics } from '../lib/runtime/metrics.ts';
import { HttpProblem, problemResponse, toProblem } from '../lib/runtime/problem.ts';
import * as z from '../lib/validation/zod.ts';
import {
  archiveRequestOf,
  InvalidNotificationError,
  parseNotification,
} from '../lib/webhooks/notification.ts';
import {
  type ConstantTimeCompare,
  verificationTokenMatches,
} from '../lib/webhooks/verification.ts';
import { createVerificationTokenReader } from '../lib/webhooks/verification-secret.ts';

const SERVICE = 'webhook';

/** The `source` of the events the webhook publishes. */
export const WEBHOOK_EVENT_SOURCE = 'ringcentral-message-automation.webhook';

/** RingCentral's notifications are small; anything bigger is not from it. */
export const MAX_NOTIFICATION_BYTES = 256 * 1024;

/** What a handshake token may look like before we echo it back in a header. */
const VALIDATION_TOKEN = /^[\w\-.~+/=]{1,512}$/;

/** The environment the webhook needs, validated at cold start. */
export const webhookConfig = z.object({
  WEBHOOK_SECRET_ID: env.requiredString,
  EVENT_BUS_NAME: env.requiredString,
  /** The archive function; unset until it is deployed (then nothing is handed over). */
  ARCHIVE_FUNCTION_NAME: env.optionalString,
  /** Put the message text (subject) of instant SMS into the events; default false. */
  WEBHOOK_INCLUDE_TEXT: z._default(env.boolean, false),
});

/** What the handler works with; tests pass their own. */
export interface WebhookDependencies {
  /** The subscription's verification token (from the webhook secret). */
  verificationToken(): Promise<string>;
  publisher: EventPublisher;
  archive?: AsyncInvoker;
  includeText: boolean;
  /** The constant-time comparison; injectable so tests can watch it. */
  compare?: ConstantTimeCompare;
}

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  // API Gateway lower-cases header names (payload 2.0); other callers may not.
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === name && value !== undefined) return value;
  }
  return undefined;
}

function bodyText(event: APIGatewayProxyEventV2): string {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.byteLength(raw, 'base64') : Buffer.byteLength(raw);
  if (bytes > MAX_NOTIFICATION_BYTES) {
    throw new HttpProblem({ status: 413, title: 'Payload too large' });
  }
  return event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
}

/** Builds the webhook handler. */
export function createHandler(dependencies: WebhookDependencies) {
  const logger = createLogger(SERVICE);
  const metrics = createMetrics(SERVICE, logger);

  const route = async (
    event: APIGatewayProxyEventV2,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    try {
      const validationToken = header(event, 'validation-token');
      if (validationToken !== undefined) {
        // The handshake: answer within 3 s, echo the token, do nothing else.
        if (!VALIDATION_TOKEN.test(validationToken)) {
          throw new HttpProblem({ status: 400, title: 'Malformed Validation-Token header' });
        }
        metrics.addMetric('WebhookHandshakes', MetricUnit.Count, 1);
        logger.info('Answered a subscription handshake');
        return { statusCode: 200, headers: { 'validation-token': validationToken } };
      }
      const presented = header(event, 'verification-token');
      if (presented === undefined) {
        metrics.addMetric('WebhookRejected', MetricUnit.Count, 1);
        throw new HttpProblem({ status: 401, title: 'Verification-Token header required' });
      }
      if (
        !verificationTokenMatches(
          presented,
          await dependencies.verificationToken(),
          dependencies.compare,
        )
      ) {
        metrics.addMetric('WebhookRejected', MetricUnit.Count, 1);
        throw new HttpProblem({ status: 403, title: 'Verification-Token does not match' });
      }
      let notification: ReturnType<typeof parseNotification>;
      try {
        notification = parseNotification(bodyText(event), {
          includeText: dependencies.includeText,
        });
      } catch (error) {
        if (!(error instanceof InvalidNotificationError)) throw error;
        throw new HttpProblem({
          status: 400,
          title: 'Not a RingCentral notification',
          errors: [{ field: error.field, message: 'is missing or invalid' }],
          cause: error,
        });
      }
      await dependencies.publisher.publish([
        { detailType: notification.detailType, detail: notification.detail },
      ]);
      metrics.addMetric('WebhookNotifications', MetricUnit.Count, 1);
      const archive = archiveRequestOf(notification);
      if (archive && dependencies.archive) {
        await dependencies.archive.invoke(archive);
        metrics.addMetric('ArchiveHandoffs', MetricUnit.Count, 1);
      }
      logger.info('Notification published', {
        kind: notification.kind,
        subscriptionId: notification.detail.subscriptionId,
        notificationId: notification.detail.notificationId,
        newMessages: archive?.messageIds.length ?? 0,
        archiveInvoked: Boolean(archive && dependencies.archive),
      });
      return { statusCode: 200, headers: { 'x-request-id': requestId } };
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status >= 500) logger.error('Webhook delivery failed', { error });
      else logger.info('Webhook request refused', { status: problem.status, title: problem.title });
      return problemResponse(problem, requestId);
    }
  };

  return middy(route)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics)) as unknown as (
    event: APIGatewayProxyEventV2,
    context: Context,
  ) => Promise<APIGatewayProxyStructuredResultV2>;
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): WebhookDependencies {
  const config = loadConfig(webhookConfig, environment);
  return {
    verificationToken: createVerificationTokenReader({ secretId: config.WEBHOOK_SECRET_ID }),
    publisher: createEventPublisher({
      busName: config.EVENT_BUS_NAME,
      source: WEBHOOK_EVENT_SOURCE,
    }),
    ...(config.ARCHIVE_FUNCTION_NAME
      ? { archive: createAsyncInvoker({ functionName: config.ARCHIVE_FUNCTION_NAME }) }
      : {}),
    includeText: config.WEBHOOK_INCLUDE_TEXT,
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
