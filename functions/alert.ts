/**
 * alert (EventBridge rule): renders `Alert` events of the project's bus and CloudWatch alarm
 * state changes into SMS and/or pager messages to the configured recipients, once per event id.
 * An invalid event fails with a reason, so that it lands in the DLQ.
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { eventBridgeEventSchema, recipientsSchema } from '../lib/alerts/alert-event.ts';
import { recordAlertDelivery, recordRefusedAlert } from '../lib/alerts/alert-report.ts';
import {
  type AlertDelivery,
  type DeliverySettings,
  deliveriesForEvent,
} from '../lib/alerts/deliveries.ts';
import { type AlertResult, createAlertRunner } from '../lib/alerts/delivery-runner.ts';
import { templatesSchema } from '../lib/alerts/templates.ts';
import { createIdempotencyPersistence } from '../lib/aws/idempotency.ts';
import type { RingCentral, RingCentralHooks } from '../lib/ringcentral/index.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import {
  functionContext,
  ringCentralFromSecrets,
  ringCentralSecretsEnv,
} from '../lib/runtime/function-context.ts';
import { createJobHandler } from '../lib/runtime/job-stack.ts';
import * as z from '../lib/validation/zod.ts';

/** The environment the alert function needs, validated at cold start. */
export const alertConfig = z
  .object({
    STATE_TABLE_NAME: env.requiredString,
    ...ringCentralSecretsEnv,
    /** The sending number; required when SMS recipients are configured. */
    SMS_FROM: env.optionalPhoneNumber,
    /** `{ "sms": ["+1..."], "pager": ["<extensionId>" | {"extensionNumber": "101"}] }` */
    ALERT_RECIPIENTS: env.jsonOf(recipientsSchema),
    /** `{ "alert": "...", "alarm": { "sms": "...", "pager": "..." }, "<name>": ... }` */
    ALERT_TEMPLATES: z._default(env.jsonOf(templatesSchema), {}),
    /** The pager sender's extension id; default the authorised user. */
    ALERT_PAGER_FROM: z.pipe(
      env.optionalString,
      z.optional(z.string().check(z.regex(/^\d{1,20}$/))),
    ),
  })
  .check(
    z.refine(
      (config) => config.SMS_FROM !== undefined || config.ALERT_RECIPIENTS.sms.length === 0,
      { path: ['SMS_FROM'], message: 'is required when ALERT_RECIPIENTS has SMS numbers' },
    ),
  );

/** What the handler works with (recipients, templates, smsFrom and these); tests pass their own. */
export interface AlertDependencies extends DeliverySettings {
  ringCentral(hooks: RingCentralHooks): Promise<RingCentral>;
  /** Idempotency records per event id and per delivery (two layers on the state table). */
  eventPersistence: BasePersistenceLayer;
  deliveryPersistence: BasePersistenceLayer;
  pagerFrom?: string;
}

/** Builds the alert handler. */
export function createHandler(dependencies: AlertDependencies) {
  const context = functionContext('alert');
  const runner = createAlertRunner({
    eventPersistence: dependencies.eventPersistence,
    deliveryPersistence: dependencies.deliveryPersistence,
  });
  return createJobHandler({
    ...context,
    event: eventBridgeEventSchema,
    handler: async (event, job): Promise<AlertResult> => {
      let deliveries: AlertDelivery[];
      try {
        deliveries = deliveriesForEvent(event, dependencies);
      } catch (error) {
        recordRefusedAlert(event.id, error, context);
        throw error;
      }
      const ringCentral = await dependencies.ringCentral(context.hooks);
      const result = await runner.run(
        { key: event.id, deliveries },
        {
          ringCentral,
          smsFrom: dependencies.smsFrom,
          pagerFrom: dependencies.pagerFrom,
          callOptions: { signal: job.signal, deadline: job.deadline },
          onDelivered: (delivered) => recordAlertDelivery(event.id, delivered, context),
        },
        job.lambdaContext,
      );
      context.logger.info('Alert handled', {
        eventId: event.id,
        deliveries: result.deliveries.length,
      });
      return result;
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): AlertDependencies {
  const config = loadConfig(alertConfig, environment);
  const persistence = (functionName: string) =>
    createIdempotencyPersistence({ tableName: config.STATE_TABLE_NAME, functionName });
  return {
    ringCentral: ringCentralFromSecrets(config),
    eventPersistence: persistence('alert'),
    deliveryPersistence: persistence('alert-delivery'),
    recipients: config.ALERT_RECIPIENTS,
    templates: config.ALERT_TEMPLATES,
    ...(config.SMS_FROM ? { smsFrom: config.SMS_FROM } : {}),
    ...(config.ALERT_PAGER_FROM ? { pagerFrom: config.ALERT_PAGER_FROM } : {}),
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
