/**
 * subscription-keeper (daily schedule): keeps exactly one active RingCentral webhook
 * subscription to the message-store event filters for WEBHOOK_URL, with expiresIn set. Renews
 * it before it expires, deletes and recreates a Blacklisted one, deletes duplicates, and logs
 * and counts every time it had to act.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ringCentralProvider } from '../lib/aws/ringcentral.ts';
import { createSecretsStore } from '../lib/aws/secrets.ts';
import type { RingCentral, RingCentralHooks } from '../lib/ringcentral/index.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import { createJobHandler } from '../lib/runtime/job-stack.ts';
import { createLogger } from '../lib/runtime/logger.ts';
import { createMetrics, ringCentralHooks } from '../lib/runtime/metrics.ts';
import * as z from '../lib/validation/zod.ts';
import { type KeeperReport, keepSubscription } from '../lib/webhooks/subscription-keeper.ts';
import type { DesiredSubscription } from '../lib/webhooks/subscription-plan.ts';
import { createVerificationTokenReader } from '../lib/webhooks/verification-secret.ts';

const SERVICE = 'subscription-keeper';

/** The message-store filter: it signals every change with the new message ids. */
export const DEFAULT_EVENT_FILTERS = ['/restapi/v1.0/account/~/extension/~/message-store'];

/** The environment the keeper needs, validated at cold start. */
export const subscriptionKeeperConfig = z.object({
  CREDENTIALS_SECRET_ID: env.requiredString,
  SESSION_SECRET_ID: env.requiredString,
  WEBHOOK_SECRET_ID: env.requiredString,
  WEBHOOK_URL: env.url,
  SUBSCRIPTION_EVENT_FILTERS: z._default(
    z.pipe(
      env.list,
      z
        .array(
          z
            .string()
            .check(z.regex(/^\/restapi\/v1\.0\//, 'must be RingCentral event filter paths')),
        )
        .check(z.minLength(1)),
    ),
    DEFAULT_EVENT_FILTERS,
  ),
  /** Lifetime asked for; default 7 days (RingCentral's own default, made explicit). */
  SUBSCRIPTION_EXPIRES_IN_SECONDS: z._default(
    z.pipe(env.positiveInt, z.number().check(z.maximum(315_360_000))),
    604_800,
  ),
  /** Renew when less is left; default 3 days, so two failed daily runs still leave time. */
  SUBSCRIPTION_RENEW_BEFORE_SECONDS: z._default(env.positiveInt, 259_200),
});

/** The scheduler's event: any object (its content is not used). */
export const subscriptionKeeperEvent = z.looseObject({});

/** What the handler works with; tests pass their own. */
export interface SubscriptionKeeperDependencies {
  ringCentral(hooks: RingCentralHooks): Promise<RingCentral>;
  verificationToken(): Promise<string>;
  desired: DesiredSubscription;
  now?: () => number;
}

const DELETE_METRIC = {
  blacklisted: 'SubscriptionBlacklisted',
  duplicate: 'SubscriptionDuplicateDeleted',
  'wrong-filters': 'SubscriptionFiltersReplaced',
} as const;

/** Builds the subscription-keeper handler. */
export function createHandler(dependencies: SubscriptionKeeperDependencies) {
  const logger = createLogger(SERVICE);
  const metrics = createMetrics(SERVICE, logger);
  const hooks = ringCentralHooks(logger, metrics);
  return createJobHandler({
    service: SERVICE,
    logger,
    metrics,
    event: subscriptionKeeperEvent,
    handler: async (_event, job): Promise<KeeperReport> => {
      const ringCentral = await dependencies.ringCentral(hooks);
      const report = await keepSubscription({
        subscriptions: ringCentral.subscriptions,
        desired: dependencies.desired,
        verificationToken: await dependencies.verificationToken(),
        ...(dependencies.now ? { now: dependencies.now } : {}),
        callOptions: { signal: job.signal, deadline: job.deadline },
      });
      for (const deleted of report.deleted) {
        metrics.addMetric(DELETE_METRIC[deleted.reason], MetricUnit.Count, 1);
        logger.warn('Deleted a webhook subscription', { ...deleted });
      }
      if (report.action === 'created') {
        metrics.addMetric('SubscriptionCreated', MetricUnit.Count, 1);
        logger.warn('Created a webhook subscription', {
          subscriptionId: report.subscriptionId,
          renewalRefused: report.renewalRefused === true,
        });
      } else if (report.action === 'renewed') {
        metrics.addMetric('SubscriptionRenewed', MetricUnit.Count, 1);
      }
      logger.info('Webhook subscription in place', {
        subscriptionId: report.subscriptionId,
        action: report.action,
        expirationTime: report.expirationTime,
      });
      return report;
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): SubscriptionKeeperDependencies {
  const config = loadConfig(subscriptionKeeperConfig, environment);
  const store = createSecretsStore();
  return {
    ringCentral: ringCentralProvider({
      store,
      credentialsSecretId: config.CREDENTIALS_SECRET_ID,
      sessionSecretId: config.SESSION_SECRET_ID,
    }),
    verificationToken: createVerificationTokenReader({ secretId: config.WEBHOOK_SECRET_ID }),
    desired: {
      address: config.WEBHOOK_URL,
      eventFilters: config.SUBSCRIPTION_EVENT_FILTERS,
      expiresInSeconds: config.SUBSCRIPTION_EXPIRES_IN_SECONDS,
      renewBeforeSeconds: config.SUBSCRIPTION_RENEW_BEFORE_SECONDS,
    },
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
