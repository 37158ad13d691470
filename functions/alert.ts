/**
 * alert (EventBridge rule): renders `Alert` events of the project's bus and CloudWatch alarm
 * state changes into SMS and/or pager messages to the configured recipients, once per event id.
 * An invalid event fails with a reason, so that it lands in the DLQ.
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  eventBridgeEventSchema,
  InvalidAlertEventError,
  type Recipients,
  recipientsSchema,
  toAlertNotice,
} from '../lib/alerts/alert-event.ts';
import { planDeliveries } from '../lib/alerts/deliveries.ts';
import { type AlertResult, createAlertRunner } from '../lib/alerts/delivery-runner.ts';
import { type AlertTemplates, templatesSchema } from '../lib/alerts/templates.ts';
import { createIdempotencyPersistence } from '../lib/aws/idempotency.ts';
import { ringCentralProvider } from '../lib/aws/ringcentral.ts';
import { createSecretsStore } from '../lib/aws/secrets.ts';
import type { RingCentral, RingCentralHooks } from '../lib/ringcentral/index.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import { createJobHandler } from '../lib/runtime/job-stack.ts';
import { createLogger } from '../lib/runtime/logger.ts';
import { createMetrics, ringCentralHooks } from '../lib/runtime/metrics.ts';
import * as z from '../lib/validation/zod.ts';

const SERVICE = 'alert';

/** The environment the alert function needs, validated at cold start. */
export const alertConfig = z
  .object({
    STATE_TABLE_NAME: env.requiredString,
    CREDENTIALS_SECRET_ID: env.requiredString,
    SESSION_SECRET_ID: env.requiredString,
    /** The sending number; required when SMS recipients are configured. */
    SMS_FROM: z.pipe(
      env.optionalString,
      z.optional(
        z
          .string()
          .check(z.regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +16505550100')),
      ),
    ),
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

/** What the handler works with; tests pass their own. */
export interface AlertDependencies {
  ringCentral(hooks: RingCentralHooks): Promise<RingCentral>;
  /** Idempotency records per event id and per delivery (two layers on the state table). */
  eventPersistence: BasePersistenceLayer;
  deliveryPersistence: BasePersistenceLayer;
  recipients: Recipients;
  templates: AlertTemplates;
  smsFrom?: string;
  pagerFrom?: string;
}

/** Builds the alert handler. */
export function createHandler(dependencies: AlertDependencies) {
  const logger = createLogger(SERVICE);
  const metrics = createMetrics(SERVICE, logger);
  const hooks = ringCentralHooks(logger, metrics);
  const runner = createAlertRunner({
    eventPersistence: dependencies.eventPersistence,
    deliveryPersistence: dependencies.deliveryPersistence,
  });
  return createJobHandler({
    service: SERVICE,
    logger,
    metrics,
    event: eventBridgeEventSchema,
    handler: async (event, job): Promise<AlertResult> => {
      let deliveries: ReturnType<typeof planDeliveries>;
      try {
        const notice = toAlertNotice(event);
        deliveries = planDeliveries(notice, dependencies.recipients, dependencies.templates);
        if (!dependencies.smsFrom && deliveries.some((delivery) => delivery.channel === 'sms')) {
          throw new InvalidAlertEventError('SMS recipients given but SMS_FROM is not configured');
        }
      } catch (error) {
        if (error instanceof InvalidAlertEventError) {
          metrics.addMetric('AlertsInvalid', MetricUnit.Count, 1);
          logger.warn('Alert event refused', { eventId: event.id, reason: error.reason });
        }
        throw error;
      }
      const ringCentral = await dependencies.ringCentral(hooks);
      const result = await runner.run(
        { key: event.id, deliveries },
        {
          ringCentral,
          smsFrom: dependencies.smsFrom,
          pagerFrom: dependencies.pagerFrom,
          callOptions: { signal: job.signal, deadline: job.deadline },
          onDelivered: (delivered) => {
            metrics.addMetric(
              delivered.channel === 'sms' ? 'AlertSmsSent' : 'AlertPagerSent',
              MetricUnit.Count,
              1,
            );
            logger.info('Alert delivered', {
              eventId: event.id,
              channel: delivered.channel,
              messageId: delivered.messageId,
            });
          },
        },
        job.lambdaContext,
      );
      logger.info('Alert handled', { eventId: event.id, deliveries: result.deliveries.length });
      return result;
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): AlertDependencies {
  const config = loadConfig(alertConfig, environment);
  const store = createSecretsStore();
  return {
    ringCentral: ringCentralProvider({
      store,
      credentialsSecretId: config.CREDENTIALS_SECRET_ID,
      sessionSecretId: config.SESSION_SECRET_ID,
    }),
    eventPersistence: createIdempotencyPersistence({
      tableName: config.STATE_TABLE_NAME,
      functionName: 'alert',
    }),
    deliveryPersistence: createIdempotencyPersistence({
      tableName: config.STATE_TABLE_NAME,
      functionName: 'alert-delivery',
    }),
    recipients: config.ALERT_RECIPIENTS,
    templates: config.ALERT_TEMPLATES,
    ...(config.SMS_FROM ? { smsFrom: config.SMS_FROM } : {}),
    ...(config.ALERT_PAGER_FROM ? { pagerFrom: config.ALERT_PAGER_FROM } : {}),
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
