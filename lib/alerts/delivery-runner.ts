/**
 * Sends an alert's deliveries once each: the event as a whole is idempotent on its id, and each
 * delivery on its own key, so a retried event (after a partial failure, or a duplicate
 * EventBridge delivery) sends only what did not go out before.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import { idempotencyJmesPathFunctions } from '../aws/idempotency.ts';
import type { CallOptions, RingCentral } from '../ringcentral/index.ts';
import type { AlertDelivery } from './deliveries.ts';

/** What one delivery produced (stored in its idempotency record; no message text). */
export interface DeliveryResult {
  key: string;
  channel: AlertDelivery['channel'];
  messageId: string;
  messageStatus?: string;
}

/** What an alert event produced. */
export interface AlertResult {
  eventId: string;
  deliveries: DeliveryResult[];
}

/** Some deliveries failed; the event is retried and sends only those. */
export class AlertDeliveryError extends Error {
  override name = 'AlertDeliveryError';
  readonly failed: number;
  readonly succeeded: number;
  constructor(failed: number, succeeded: number, options?: { cause?: unknown }) {
    super(`${failed} of ${failed + succeeded} alert deliveries failed`, options);
    this.failed = failed;
    this.succeeded = succeeded;
  }
}

/** What a run needs besides the deliveries. */
export interface DeliveryContext {
  ringCentral: RingCentral;
  smsFrom: string | undefined;
  pagerFrom: string | undefined;
  callOptions: CallOptions;
  onDelivered?(result: DeliveryResult): void;
}

/** Options of {@link createAlertRunner}. */
export interface AlertRunnerOptions {
  /** Records per event id. */
  eventPersistence: BasePersistenceLayer;
  /** Records per delivery key (a separate layer: Powertools configures a layer once). */
  deliveryPersistence: BasePersistenceLayer;
  /** How long "already sent" is remembered; default 48 h (EventBridge retries up to 24 h). */
  expiresAfterSeconds?: number;
}

/** Sends the deliveries of one alert; `run` is idempotent per event id and per delivery key. */
export interface AlertRunner {
  run(
    input: { key: string; deliveries: AlertDelivery[] },
    context: DeliveryContext,
    lambdaContext: Context,
  ): Promise<AlertResult>;
}

function send(delivery: AlertDelivery, context: DeliveryContext) {
  if (delivery.channel === 'sms') {
    if (!context.smsFrom) throw new Error('SMS_FROM is not configured');
    return context.ringCentral.sms.send(
      { from: context.smsFrom, to: [delivery.to], text: delivery.text },
      context.callOptions,
    );
  }
  return context.ringCentral.pager.send(
    {
      ...(context.pagerFrom ? { from: { extensionId: context.pagerFrom } } : {}),
      to: delivery.to,
      text: delivery.text,
    },
    context.callOptions,
  );
}

async function deliver(delivery: AlertDelivery, context: DeliveryContext): Promise<DeliveryResult> {
  const sent = await send(delivery, context);
  return {
    key: delivery.key,
    channel: delivery.channel,
    messageId: String(sent.id),
    ...(sent.messageStatus ? { messageStatus: sent.messageStatus } : {}),
  };
}

/** Builds the idempotent runner (once per container). */
export function createAlertRunner(options: AlertRunnerOptions): AlertRunner {
  const config = () =>
    new IdempotencyConfig({
      eventKeyJmesPath: 'key',
      jmesPathOptions: idempotencyJmesPathFunctions(),
      throwOnNoIdempotencyKey: true,
      expiresAfterSeconds: options.expiresAfterSeconds ?? 48 * 3600,
    });
  const eventConfig = config();
  const deliveryConfig = config();
  const deliverOnce = makeIdempotent(
    async (input: { key: string; delivery: AlertDelivery }, context: DeliveryContext) => {
      const result = await deliver(input.delivery, context);
      context.onDelivered?.(result);
      return result;
    },
    { persistenceStore: options.deliveryPersistence, config: deliveryConfig },
  );
  const runOnce = makeIdempotent(
    async (
      input: { key: string; deliveries: AlertDelivery[] },
      context: DeliveryContext,
    ): Promise<AlertResult> => {
      const outcomes = await Promise.allSettled(
        input.deliveries.map((delivery) => deliverOnce({ key: delivery.key, delivery }, context)),
      );
      const failures = outcomes.filter((outcome) => outcome.status === 'rejected');
      if (failures.length > 0) {
        throw new AlertDeliveryError(failures.length, outcomes.length - failures.length, {
          cause: failures[0]?.reason,
        });
      }
      return {
        eventId: input.key,
        deliveries: outcomes.map(
          (outcome) => (outcome as PromiseFulfilledResult<DeliveryResult>).value,
        ),
      };
    },
    { persistenceStore: options.eventPersistence, config: eventConfig },
  );
  return {
    run: (input, context, lambdaContext) => {
      // In-progress records expire with the invocation, so a retry after a timeout can proceed.
      eventConfig.registerLambdaContext(lambdaContext);
      deliveryConfig.registerLambdaContext(lambdaContext);
      return runOnce(input, context);
    },
  };
}
