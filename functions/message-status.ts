/**
 * message-status (schedule every minute, and the webhook's `RingCentral Message Store Change`
 * events): reads back the sent messages whose status is not final yet and publishes each change
 * once as `Message Status Changed` (lib/sending/status-watch.ts, where the budget arithmetic is).
 * A notification asks for a check of its extension's messages; the check runs at once unless
 * another ran within the spacing, and then the next one takes it up.
 */
import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createEventPublisher } from '../lib/aws/events.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import { createStatusWatchStore } from '../lib/aws/status-watch-store.ts';
import type { RingCentral, RingCentralHooks } from '../lib/ringcentral/index.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import {
  functionContext,
  ringCentralFromSecrets,
  ringCentralSecretsEnv,
} from '../lib/runtime/function-context.ts';
import { createJobHandler } from '../lib/runtime/job-stack.ts';
import type { StatusWatchStore } from '../lib/sending/ports.ts';
import { MESSAGE_STATUS_EVENT_SOURCE } from '../lib/sending/status-events.ts';
import {
  checkStatuses,
  STATUS_WATCH_DEFAULTS,
  type StatusCheckResult,
  type StatusEventPublisher,
  type StatusWatchSettings,
} from '../lib/sending/status-watch.ts';
import { messageStatusEvent, updatedExtension } from '../lib/sending/store-change.ts';
import * as z from '../lib/validation/zod.ts';

/** The environment message-status needs, validated at cold start. */
export const messageStatusConfig = z.object({
  STATE_TABLE_NAME: env.requiredString,
  EVENT_BUS_NAME: env.requiredString,
  ...ringCentralSecretsEnv,
  /** Seconds between checks at least, whatever starts them; default 20 (the budget's basis). */
  MESSAGE_STATUS_CHECK_SPACING_SECONDS: z._default(
    env.positiveInt,
    STATUS_WATCH_DEFAULTS.checkSpacingMs / 1000,
  ),
});

/** What the handler works with; tests pass their own. */
export interface MessageStatusDependencies {
  store: StatusWatchStore;
  events: StatusEventPublisher;
  /** The RingCentral client, created once per container on first use. */
  ringCentral(hooks: RingCentralHooks): Promise<RingCentral>;
  settings: StatusWatchSettings;
  now?: () => number;
}

/** What one invocation did: the check's counts, or why no check ran. */
export type MessageStatusResult =
  | ({ checked: true; requestedFor?: string } & StatusCheckResult)
  | { checked: false; requestedFor?: string };

/** Builds the message-status handler. */
export function createHandler(dependencies: MessageStatusDependencies) {
  const context = functionContext('message-status');
  const now = dependencies.now ?? Date.now;
  return createJobHandler({
    ...context,
    event: messageStatusEvent,
    handler: async (event, job): Promise<MessageStatusResult> => {
      const extensionId = updatedExtension(event);
      const requested = extensionId === undefined ? {} : { requestedFor: extensionId };
      if (extensionId !== undefined) await dependencies.store.requestCheck(extensionId, now());
      const slot = await dependencies.store.takeCheckSlot(
        randomUUID(),
        dependencies.settings.checkSpacingMs,
      );
      if (!slot) return { checked: false, ...requested };
      const ringCentral = await dependencies.ringCentral(context.hooks);
      const result = await checkStatuses(
        {
          store: dependencies.store,
          events: dependencies.events,
          readMessages: (mailbox, ids, options) =>
            ringCentral.messages.getMany(ids, { ...options, extensionId: mailbox }),
          now,
        },
        dependencies.settings,
        { signal: job.signal, deadline: job.deadline },
      );
      context.metrics.addMetric('MessageStatusChanges', MetricUnit.Count, result.published);
      context.metrics.addMetric('MessageStatusReads', MetricUnit.Count, result.read);
      context.metrics.addMetric('MessageStatusDeferred', MetricUnit.Count, result.deferred);
      const level = result.unpublished > 0 || result.failed > 0 ? 'warn' : 'info';
      context.logger[level]('Message statuses checked', { ...requested, ...result });
      return { checked: true, ...requested, ...result };
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): MessageStatusDependencies {
  const config = loadConfig(messageStatusConfig, environment);
  return {
    store: createStatusWatchStore(createStateTable({ tableName: config.STATE_TABLE_NAME })),
    events: createEventPublisher({
      busName: config.EVENT_BUS_NAME,
      source: MESSAGE_STATUS_EVENT_SOURCE,
    }),
    ringCentral: ringCentralFromSecrets(config),
    settings: {
      ...STATUS_WATCH_DEFAULTS,
      checkSpacingMs: config.MESSAGE_STATUS_CHECK_SPACING_SECONDS * 1000,
    },
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
