/**
 * The environment of the subscription keeper beyond the RingCentral secrets: where the webhook
 * is, which filters besides the registry's, and the subscriptions' lifetime and renewal margin.
 * Nothing here names an extension: those filters come from the registry at each run.
 */
import type { SubscriptionFilterOptions } from '../extensions/subscription-filters.ts';
import { env } from '../runtime/config.ts';
import * as z from '../validation/zod.ts';
import type { DesiredSubscription } from './subscription-plan.ts';

/** Per-extension filters come from the registry: the setting takes account-level ones only. */
const PER_EXTENSION_FILTER = /\/extension\/\d+(\/|\?|$)/;

/** The keeper's own settings, a shape to spread into the function's `z.object`. */
export const subscriptionKeeperSettings = {
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
};

const settingsSchema = z.object(subscriptionKeeperSettings);

/** What every keeper run wants, from the validated settings. */
export function keeperRunSettings(config: z.infer<typeof settingsSchema>): {
  desired: Omit<DesiredSubscription, 'eventFilters'>;
  filterOptions: SubscriptionFilterOptions;
} {
  return {
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
