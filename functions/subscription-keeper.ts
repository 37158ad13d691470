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
import type { ExtensionRegistry } from '../lib/extensions/ports.ts';
import {
  type SubscriptionFilterOptions,
  subscriptionFilters,
} from '../lib/extensions/subscription-filters.ts';
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
import { type KeeperReport, keepSubscriptions } from '../lib/webhooks/subscription-keeper.ts';
import type { DesiredSubscription } from '../lib/webhooks/subscription-plan.ts';
import { createVerificationTokenReader } from '../lib/webhooks/verification-secret.ts';

/** Per-extension filters come from the registry: the setting takes account-level ones only. */
const PER_EXTENSION_FILTER = /\/extension\/\d+(\/|\?|$)/;

/** The environment the keeper needs, validated at cold start. */
export const subscriptionKeeperConfig = z.object({
  ...ringCentralSecretsEnv,
  WEBHOOK_SECRET_ID: env.requiredString,
  STATE_TABLE_NAME: env.requiredString,
  WEBHOOK_URL: env.url,
  /** Also each extension's instant SMS filter (the webhook puts SMS text into events). */
  SUBSCRIPTION_INSTANT_SMS: z._default(env.boolean, false),
  /**
   * Event filters beyond the archive's (e.g. `.../extension/~/message-store/instant?type=SMS`
   * for the whole inbound SMS in the events); default none. Never per extension: those come
   * from the registry, so nothing here grows with the account.
   */
  SUBSCRIPTION_EXTRA_EVENT_FILTERS: z._default(
    z.pipe(
      env.list,
      z.array(
        z.string().check(
          z.regex(/^\/restapi\/v1\.0\//, 'must be RingCentral event filter paths'),
          z.refine((filter) => !PER_EXTENSION_FILTER.test(filter), 'must not name an extension'),
        ),
      ),
    ),
    [],
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
  /** Where the watched extensions come from. */
  registry: Pick<ExtensionRegistry, 'list'>;
  /** Everything but the filters, which are read from the registry at each run. */
  desired: Omit<DesiredSubscription, 'eventFilters'>;
  /** Instant SMS filters per extension, and account-level filters beyond the archive's. */
  filterOptions?: SubscriptionFilterOptions;
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
      const eventFilters = await subscriptionFilters(
        dependencies.registry,
        dependencies.filterOptions,
      );
      const report = await keepSubscriptions({
        subscriptions: ringCentral.subscriptions,
        desired: { ...dependencies.desired, eventFilters },
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
    registry: createExtensionRegistry(createStateTable({ tableName: config.STATE_TABLE_NAME })),
    filterOptions: {
      instantSms: config.SUBSCRIPTION_INSTANT_SMS,
      extra: config.SUBSCRIPTION_EXTRA_EVENT_FILTERS,
    },
    desired: {
      address: config.WEBHOOK_URL,
      expiresInSeconds: config.SUBSCRIPTION_EXPIRES_IN_SECONDS,
      renewBeforeSeconds: config.SUBSCRIPTION_RENEW_BEFORE_SECONDS,
    },
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
