/**
 * extensions (schedule hourly, once at deploy after token-refresh, and on demand): discovery of
 * the account's extensions into the registry (lib/extensions/discovery.ts) through the archive
 * policy stored beside it. A token that may not list or read other extensions is logged at error
 * and counted in the alarmed `ExtensionConfigurationErrors`, and the invocation succeeds: a retry
 * cannot grant a permission, and the alarm, not Lambda's retries, is what reaches an operator.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  createArchivePolicyStore,
  createExtensionRegistry,
} from '../lib/aws/extension-registry.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import { type DiscoveryCounts, discoverExtensions } from '../lib/extensions/discovery.ts';
import { ExtensionsConfigurationError } from '../lib/extensions/errors.ts';
import { ExtensionMetric } from '../lib/extensions/metrics.ts';
import type { ArchivePolicyStore, ExtensionRegistry } from '../lib/extensions/ports.ts';
import type { ExtensionsApi, RingCentralHooks } from '../lib/ringcentral/index.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import {
  functionContext,
  ringCentralFromSecrets,
  ringCentralSecretsEnv,
} from '../lib/runtime/function-context.ts';
import { createJobHandler } from '../lib/runtime/job-stack.ts';
import * as z from '../lib/validation/zod.ts';

/** The environment discovery needs, validated at cold start. */
export const extensionsConfig = z.object({
  STATE_TABLE_NAME: env.requiredString,
  ...ringCentralSecretsEnv,
});

/** A scheduler event, the deploy-time `{ "source": "deploy" }`, or anything else: one discovery. */
export const extensionsEvent = z.looseObject({ source: z.optional(z.string()) });

/** What the handler works with; tests pass their own. */
export interface ExtensionsDependencies {
  /** The extension operations of a client built with the runtime's hooks. */
  extensions(hooks: RingCentralHooks): Promise<Pick<ExtensionsApi, 'list' | 'get'>>;
  registry: ExtensionRegistry;
  policies: Pick<ArchivePolicyStore, 'read'>;
  now?: () => number;
}

/** What the invocation returns. */
export interface ExtensionsResult {
  /** Absent when the list itself was refused. */
  counts?: DiscoveryCounts;
  /** The configuration error, when there was one (also logged and alarmed). */
  configurationError?: { permission: string; message: string };
}

/** Builds the extensions handler. */
export function createHandler(dependencies: ExtensionsDependencies) {
  const context = functionContext('extensions');
  const { logger, metrics, hooks } = context;
  const reportConfiguration = (error: ExtensionsConfigurationError | undefined) => {
    metrics.addMetric(ExtensionMetric.configurationErrors, MetricUnit.Count, error ? 1 : 0);
    if (!error) return undefined;
    logger.error(error.message, { error, permission: error.permission });
    return { permission: error.permission, message: error.message };
  };
  return createJobHandler({
    ...context,
    event: extensionsEvent,
    handler: async (_event, job): Promise<ExtensionsResult> => {
      const discovery = {
        extensions: await dependencies.extensions(hooks),
        registry: dependencies.registry,
        policies: dependencies.policies,
        ...(dependencies.now ? { now: dependencies.now } : {}),
      };
      let result: Awaited<ReturnType<typeof discoverExtensions>>;
      try {
        result = await discoverExtensions(discovery, {
          signal: job.signal,
          deadline: job.deadline,
        });
      } catch (error) {
        if (!(error instanceof ExtensionsConfigurationError)) throw error;
        return { configurationError: reportConfiguration(error) };
      }
      const { counts } = result;
      const skipped = Object.values(counts.skipped).reduce((sum, count) => sum + count, 0);
      for (const [name, value] of [
        [ExtensionMetric.listed, counts.listed],
        [ExtensionMetric.archived, counts.archived],
        [ExtensionMetric.skipped, skipped],
        [ExtensionMetric.new, counts.new],
        [ExtensionMetric.gone, counts.gone],
        [ExtensionMetric.returned, counts.returned],
      ] as const) {
        metrics.addMetric(name, MetricUnit.Count, value);
      }
      logger.info('Extensions discovered', { ...counts });
      const configurationError = reportConfiguration(result.configurationError);
      return configurationError ? { counts, configurationError } : { counts };
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): ExtensionsDependencies {
  const config = loadConfig(extensionsConfig, environment);
  const table = createStateTable({ tableName: config.STATE_TABLE_NAME });
  const ringCentral = ringCentralFromSecrets(config);
  return {
    extensions: async (hooks) => (await ringCentral(hooks)).extensions,
    registry: createExtensionRegistry(table),
    policies: createArchivePolicyStore(table),
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
