/**
 * subscription-keeper (daily schedule): keeps exactly the webhook subscriptions for WEBHOOK_URL
 * that the extension registry calls for: one message-store filter per archived, non-gone
 * extension plus the account's extension-list filter (lib/extensions/subscription-filters.ts),
 * spread over as many subscriptions as RingCentral allows, with expiresIn set
 * (lib/webhooks/subscription-plan.ts). Moves filters of new and gone extensions, renews before
 * expiry, deletes and recreates a Blacklisted one, deletes duplicates, and logs and counts every
 * time it had to act.
 */
import { createExtensionRegistry } from '../lib/aws/extension-registry.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import { loadConfig } from '../lib/runtime/config.ts';
import {
  functionContext,
  ringCentralFromSecrets,
  ringCentralSecretsEnv,
} from '../lib/runtime/function-context.ts';
import { createJobHandler } from '../lib/runtime/job-stack.ts';
import * as z from '../lib/validation/zod.ts';
import {
  keepSubscriptionsForInvocation,
  type SubscriptionKeeperDependencies,
} from '../lib/webhooks/keeper-run.ts';
import { keeperRunSettings, subscriptionKeeperSettings } from '../lib/webhooks/keeper-settings.ts';
import { createVerificationTokenReader } from '../lib/webhooks/verification-secret.ts';

export type { SubscriptionKeeperDependencies };

/** The environment the keeper needs, validated at cold start (lib/webhooks/keeper-settings.ts). */
export const subscriptionKeeperConfig = z.object({
  ...ringCentralSecretsEnv,
  ...subscriptionKeeperSettings,
});

/** The scheduler's event: any object (its content is not used). */
export const subscriptionKeeperEvent = z.looseObject({});

/** Builds the subscription-keeper handler. */
export function createHandler(dependencies: SubscriptionKeeperDependencies) {
  const context = functionContext('subscription-keeper');
  return createJobHandler({
    ...context,
    event: subscriptionKeeperEvent,
    handler: (_event, job) =>
      keepSubscriptionsForInvocation(dependencies, {
        ...context,
        deadline: job.deadline,
        signal: job.signal,
      }),
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
    registry: createExtensionRegistry(createStateTable({ tableName: config.STATE_TABLE_NAME })),
    ...keeperRunSettings(config),
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
