/**
 * send-sms (POST /sms, IAM-authorised): validates the body, sends one SMS per Idempotency-Key
 * through RingCentral and answers 202 with the message id and status.
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { E164_PATTERN } from '../lib/api/fields.ts';
import { toSentMessageResponse } from '../lib/api/sent-message.ts';
import { sendSmsRequest } from '../lib/api/sms.ts';
import { createIdempotencyPersistence } from '../lib/aws/idempotency.ts';
import { ringCentralProvider } from '../lib/aws/ringcentral.ts';
import { createSecretsStore } from '../lib/aws/secrets.ts';
import type { RingCentral, RingCentralHooks } from '../lib/ringcentral/index.ts';
import { nonEmpty } from '../lib/ringcentral/index.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import { createHttpHandler } from '../lib/runtime/http-stack.ts';
import { createLogger } from '../lib/runtime/logger.ts';
import { createMetrics, MetricUnit, ringCentralHooks } from '../lib/runtime/metrics.ts';
import * as z from '../lib/validation/zod.ts';

const SERVICE = 'send-sms';

/** The environment send-sms needs, validated at cold start. */
export const sendSmsConfig = z.object({
  STATE_TABLE_NAME: env.requiredString,
  CREDENTIALS_SECRET_ID: env.requiredString,
  SESSION_SECRET_ID: env.requiredString,
  SMS_FROM: z.pipe(
    env.requiredString,
    z
      .string()
      .check(z.regex(E164_PATTERN, { error: 'must be an E.164 number such as +16505550100' })),
  ),
});

/** What the handler works with; tests pass their own. */
export interface SendSmsDependencies {
  /** The sending number when the body has no `from`. */
  smsFrom: string;
  /** Idempotency records (DynamoDB in a deployment). */
  persistence: BasePersistenceLayer;
  /** The RingCentral client, created once per container on first use. */
  ringCentral(hooks: RingCentralHooks): Promise<RingCentral>;
}

/** Builds the send-sms handler. */
export function createHandler(dependencies: SendSmsDependencies) {
  const logger = createLogger(SERVICE);
  const metrics = createMetrics(SERVICE, logger);
  const hooks = ringCentralHooks(logger, metrics);
  return createHttpHandler({
    service: SERVICE,
    logger,
    metrics,
    body: sendSmsRequest,
    idempotency: { required: true, persistence: dependencies.persistence },
    handler: async ({ body, signal, deadline }) => {
      const ringCentral = await dependencies.ringCentral(hooks);
      const sent = await ringCentral.sms.send(
        {
          from: body.from ?? dependencies.smsFrom,
          to: nonEmpty(body.to, 'to'),
          text: body.text,
        },
        { signal, deadline },
      );
      metrics.addMetric('SmsSent', MetricUnit.Count, 1);
      return { status: 202, body: toSentMessageResponse(sent, 'SMS') };
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): SendSmsDependencies {
  const config = loadConfig(sendSmsConfig, environment);
  const store = createSecretsStore();
  return {
    smsFrom: config.SMS_FROM,
    persistence: createIdempotencyPersistence({ tableName: config.STATE_TABLE_NAME }),
    ringCentral: ringCentralProvider({
      store,
      credentialsSecretId: config.CREDENTIALS_SECRET_ID,
      sessionSecretId: config.SESSION_SECRET_ID,
    }),
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
