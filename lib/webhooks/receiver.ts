/**
 * What the webhook endpoint does with one request: answers RingCentral's Validation-Token
 * handshake at once; otherwise requires the subscription's Verification-Token (compared in
 * constant time), publishes the notification as one event (a summary, no message text unless
 * configured) and hands its new message ids to the archive. Runs in the runtime's raw-body HTTP
 * stack, which answers every thrown problem as application/problem+json.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RawHttpRequestContext, RawHttpResult } from '../runtime/http-stack.ts';
import { HttpProblem } from '../runtime/problem.ts';
import { admitDelivery, type DeliveryGuard } from './delivery-guard.ts';
import { applyExtensionSignals, type ExtensionSignalDependencies } from './extension-signals.ts';
import {
  type ArchiveRequest,
  archiveRequestOf,
  InvalidNotificationError,
  type Notification,
  parseNotification,
} from './notification.ts';
import { type ConstantTimeCompare, verificationTokenMatches } from './verification.ts';

/** The `source` of the events the webhook publishes. */
export const WEBHOOK_EVENT_SOURCE = 'ringcentral-message-automation.webhook';

/** RingCentral's notifications are small; anything bigger is not from it. */
export const MAX_NOTIFICATION_BYTES = 256 * 1024;

/** What a handshake token may look like before we echo it back in a header. */
const VALIDATION_TOKEN = /^[\w\-.~+/=]{1,512}$/;

/** Where notifications go (EventBridge in a deployment, `lib/aws/events.ts`). */
export interface NotificationPublisher {
  publish(entries: Array<{ detailType: string; detail: unknown }>): Promise<void>;
}

/** Who archives new messages (the archive function, invoked asynchronously, `lib/aws/invoker.ts`). */
export interface ArchiveHandoff {
  invoke(request: ArchiveRequest): Promise<void>;
}

/** What the receiver works with; tests pass their own. */
export interface WebhookDependencies {
  /** The subscription's verification token (from the webhook secret). */
  verificationToken(): Promise<string>;
  publisher: NotificationPublisher;
  /** Absent until the archive function is deployed: then nothing is handed over. */
  archive?: ArchiveHandoff;
  /** Put the message text (subject) of instant SMS into the events. */
  includeText: boolean;
  /** The constant-time comparison; injectable so tests can watch it. */
  compare?: ConstantTimeCompare;
  /** The registry marking and discovery trigger (lib/webhooks/extension-signals.ts). */
  extensions?: ExtensionSignalDependencies;
  /**
   * The time window and the once-per-uuid ledger (lib/webhooks/delivery-guard.ts); a deployment
   * always has it, tests of other behaviour may leave it out.
   */
  deliveries?: DeliveryGuard;
}

/** The handshake: answer within 3 s, echo the token, do nothing else. */
function answerHandshake(token: string, request: RawHttpRequestContext): RawHttpResult {
  if (!VALIDATION_TOKEN.test(token)) {
    throw new HttpProblem({ status: 400, title: 'Malformed Validation-Token header' });
  }
  request.metrics.addMetric('WebhookHandshakes', MetricUnit.Count, 1);
  request.logger.info('Answered a subscription handshake');
  return { status: 200, headers: { 'validation-token': token } };
}

/** Refuses a delivery without the subscription's Verification-Token (401) or with another (403). */
async function verify(
  request: RawHttpRequestContext,
  dependencies: WebhookDependencies,
): Promise<void> {
  const presented = request.headers['verification-token'];
  if (presented === undefined) {
    request.metrics.addMetric('WebhookRejected', MetricUnit.Count, 1);
    throw new HttpProblem({ status: 401, title: 'Verification-Token header required' });
  }
  const expected = await dependencies.verificationToken();
  if (!verificationTokenMatches(presented, expected, dependencies.compare)) {
    request.metrics.addMetric('WebhookRejected', MetricUnit.Count, 1);
    throw new HttpProblem({ status: 403, title: 'Verification-Token does not match' });
  }
}

/** The verified body as a notification; 400 naming the field when it is not one. */
function notificationOf(request: RawHttpRequestContext, includeText: boolean): Notification {
  try {
    return parseNotification(request.body(), { includeText });
  } catch (error) {
    if (!(error instanceof InvalidNotificationError)) throw error;
    throw new HttpProblem({
      status: 400,
      title: 'Not a RingCentral notification',
      errors: [{ field: error.field, message: 'is missing or invalid' }],
      cause: error,
    });
  }
}

/** Builds the route that answers each request to the webhook endpoint. */
export function createWebhookReceiver(
  dependencies: WebhookDependencies,
): (request: RawHttpRequestContext) => Promise<RawHttpResult> {
  return async (request) => {
    const validationToken = request.headers['validation-token'];
    if (validationToken !== undefined) return answerHandshake(validationToken, request);
    await verify(request, dependencies);
    const notification = notificationOf(request, dependencies.includeText);
    if (!dependencies.deliveries) return processNotification(notification, request, dependencies);
    const admitted = await admitDelivery(notification.detail, dependencies.deliveries, request);
    if (!admitted) return { status: 200, headers: { 'x-request-id': request.requestId } };
    try {
      return await processNotification(notification, request, dependencies);
    } catch (error) {
      await admitted.release();
      throw error;
    }
  };
}

/** Publishes an admitted notification and applies what it signals. */
async function processNotification(
  notification: Notification,
  request: RawHttpRequestContext,
  dependencies: WebhookDependencies,
): Promise<RawHttpResult> {
  await dependencies.publisher.publish([
    { detailType: notification.detailType, detail: notification.detail },
  ]);
  request.metrics.addMetric('WebhookNotifications', MetricUnit.Count, 1);
  const archive = archiveRequestOf(notification);
  if (archive && dependencies.archive) {
    await dependencies.archive.invoke(archive);
    request.metrics.addMetric('ArchiveHandoffs', MetricUnit.Count, 1);
  }
  const signals = await applyExtensionSignals(notification, dependencies.extensions ?? {});
  if (signals.discoveryInvoked) {
    request.metrics.addMetric('ExtensionDiscoveryTriggers', MetricUnit.Count, 1);
  }
  request.logger.info('Notification published', {
    ...signals,
    kind: notification.kind,
    subscriptionId: notification.detail.subscriptionId,
    notificationId: notification.detail.notificationId,
    newMessages: archive?.messageIds.length ?? 0,
    archiveInvoked: Boolean(archive && dependencies.archive),
  });
  return { status: 200, headers: { 'x-request-id': request.requestId } };
}
