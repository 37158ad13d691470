/**
 * webhook (POST /webhook, public): RingCentral's endpoint. Answers the Validation-Token
 * handshake at once; every delivery must carry the subscription's Verification-Token (compared
 * in constant time); a delivery is admitted once per uuid and only within minutes of its
 * timestamp (lib/webhooks/delivery-guard.ts); each notification becomes one EventBridge event (a
 * summary, no message text unless configured). A message-store event marks its extension changed
 * in the registry, which is how its new messages reach archiving: the dispatcher hands changed
 * extensions to the archive workers in batches. An extension-list or extension-info event starts
 * discovery (lib/webhooks/extension-signals.ts).
 */

import { createEventPublisher } from '../lib/aws/events.ts';
import { createExtensionRegistry } from '../lib/aws/extension-registry.ts';
import { createAsyncInvoker } from '../lib/aws/invoker.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import { createWebhookDeliveryLedger } from '../lib/aws/webhook-delivery-ledger.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import { functionContext } from '../lib/runtime/function-context.ts';
import { createRawHttpHandler } from '../lib/runtime/http-stack.ts';
import * as z from '../lib/validation/zod.ts';
import {
  createWebhookReceiver,
  MAX_NOTIFICATION_BYTES,
  WEBHOOK_EVENT_SOURCE,
  type WebhookDependencies,
} from '../lib/webhooks/receiver.ts';
import { createVerificationTokenReader } from '../lib/webhooks/verification-secret.ts';

export { MAX_NOTIFICATION_BYTES, WEBHOOK_EVENT_SOURCE, type WebhookDependencies };

/** The environment the webhook needs, validated at cold start. */
export const webhookConfig = z.object({
  WEBHOOK_SECRET_ID: env.requiredString,
  EVENT_BUS_NAME: env.requiredString,
  /**
   * The archive function, invoked once per delivery with its new message ids: only without a
   * state table (a deployment leaves it unset and lets the dispatcher batch changed extensions).
   */
  ARCHIVE_FUNCTION_NAME: env.optionalString,
  /**
   * The state table: the extension registry and the delivery ledger. Unset: no extension is
   * marked changed and deliveries are neither time-checked nor deduplicated.
   */
  STATE_TABLE_NAME: env.optionalString,
  /** The extensions (discovery) function; unset: extension events start nothing. */
  EXTENSIONS_FUNCTION_NAME: env.optionalString,
  /** Put the message text (subject) of instant SMS into the events; default false. */
  WEBHOOK_INCLUDE_TEXT: z._default(env.boolean, false),
});

/** Builds the webhook handler. */
export function createHandler(dependencies: WebhookDependencies) {
  return createRawHttpHandler({
    ...functionContext('webhook'),
    maxBodyBytes: MAX_NOTIFICATION_BYTES,
    handler: createWebhookReceiver(dependencies),
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): WebhookDependencies {
  const config = loadConfig(webhookConfig, environment);
  const table = config.STATE_TABLE_NAME
    ? createStateTable({ tableName: config.STATE_TABLE_NAME })
    : undefined;
  return {
    verificationToken: createVerificationTokenReader({ secretId: config.WEBHOOK_SECRET_ID }),
    publisher: createEventPublisher({
      busName: config.EVENT_BUS_NAME,
      source: WEBHOOK_EVENT_SOURCE,
    }),
    ...(config.ARCHIVE_FUNCTION_NAME
      ? { archive: createAsyncInvoker({ functionName: config.ARCHIVE_FUNCTION_NAME }) }
      : {}),
    includeText: config.WEBHOOK_INCLUDE_TEXT,
    ...(table ? { deliveries: { ledger: createWebhookDeliveryLedger(table) } } : {}),
    extensions: {
      ...(table ? { registry: createExtensionRegistry(table) } : {}),
      ...(config.EXTENSIONS_FUNCTION_NAME
        ? { discovery: createAsyncInvoker({ functionName: config.EXTENSIONS_FUNCTION_NAME }) }
        : {}),
    },
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
