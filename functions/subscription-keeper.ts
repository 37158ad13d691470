/**
 * subscription-keeper (daily schedule): keeps exactly one active RingCentral webhook
 * subscription to the message-store event filters for WEBHOOK_URL, with expiresIn set. Renews
 * it before it expires, deletes and recreates a Blacklisted one, deletes duplicates, and logs
 * and counts every time it had to act.
 */
import type { RingCentral, RingCentralHooks } from '../lib/ringcentral/index.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import {
  functionContext,
  ringCentralFromSecrets,
  ringCentralSecretsEnv,
} from '../lib/runtime/function-context.ts';
import { createJobHandler } from '../lib/runtime/job-stack.ts';
import * as z from '../lib/validation/zod.ts';
import { recordKeeperReport } from '../lib/webhooks/keeper-report.ts';
import { type KeeperReport, keepSubscription } from '../lib/webhooks/subscription-keeper.ts';
import type { DesiredSubscription } from '../lib/webhooks/subscription-plan.ts';
import { createVerificationTokenReader } from '../lib/webhooks/verification-secret.ts';

/** The message-store filter: it signals every change with the new message ids. */
export const DEFAULT_EVENT_FILTERS = ['/restapi/v1.0/account/~/extension/~/message-store'];

/** The environment the keeper needs, validated at cold start. */
export const subscriptionKeeperConfig = z.object({
  ...ringCentralSecretsEnv,
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

/** Builds the subscription-keeper handler. */
export function createHandler(dependencies: SubscriptionKeeperDependencies) {
  const context = functionContext('subscription-keeper');
  return createJobHandler({
    ...context,
    event: subscriptionKeeperEvent,
    handler: async (_event, job): Promise<KeeperReport> => {
      const ringCentral = await dependencies.ringCentral(context.hooks);
      const report = await keepSubscription({
        subscriptions: ringCentral.subscriptions,
        desired: dependencies.desired,
        verificationToken: await dependencies.verificationToken(),
        ...(dependencies.now ? { now: dependencies.now } : {}),
        callOptions: { signal: job.signal, deadline: job.deadline },
      });
      recordKeeperReport(report, context);
      return report;
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): SubscriptionKeeperDependencies {
  const config = loadConfig(subscriptionKeeperConfig, environment);
  return {
    ringCentral: ringCentralFromSecrets(config),
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
