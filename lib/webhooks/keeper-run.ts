/**
 * One subscription-keeper run: the filters the registry calls for at this moment, then
 * {@link keepSubscriptions} with the verification token, then what it did logged and counted.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { ExtensionRegistry } from '../extensions/ports.ts';
import {
  type SubscriptionFilterOptions,
  subscriptionFilters,
} from '../extensions/subscription-filters.ts';
import type { RingCentral, RingCentralHooks } from '../ringcentral/index.ts';
import { recordKeeperReport } from './keeper-report.ts';
import { type KeeperReport, keepSubscriptions } from './subscription-keeper.ts';
import type { DesiredSubscription } from './subscription-plan.ts';

/** What the subscription-keeper handler works with; tests pass their own. */
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

/** The invocation's time and the function's logger, metrics and client hooks. */
export interface KeeperInvocation {
  deadline: number;
  signal: AbortSignal;
  logger: Logger;
  metrics: Metrics;
  hooks: RingCentralHooks;
}

/** Runs the keeper once and returns its report. */
export async function keepSubscriptionsForInvocation(
  dependencies: SubscriptionKeeperDependencies,
  invocation: KeeperInvocation,
): Promise<KeeperReport> {
  const ringCentral = await dependencies.ringCentral(invocation.hooks);
  const eventFilters = await subscriptionFilters(dependencies.registry, dependencies.filterOptions);
  const report = await keepSubscriptions({
    subscriptions: ringCentral.subscriptions,
    desired: { ...dependencies.desired, eventFilters },
    verificationToken: await dependencies.verificationToken(),
    ...(dependencies.now ? { now: dependencies.now } : {}),
    callOptions: { signal: invocation.signal, deadline: invocation.deadline },
  });
  recordKeeperReport(report, invocation);
  return report;
}
