/**
 * webhook (POST /webhook, public): RingCentral's endpoint. Answers the Validation-Token
 * handshake at once; every delivery must carry the subscription's Verification-Token (compared
 * in constant time); each notification becomes one EventBridge event (a summary, no message
 * text unless configured) and its new message ids go to the archive function. A message-store
 * event marks its extension changed in the registry; an extension-list or extension-info event
 * starts discovery (lib/webhooks/extension-signals.ts).
 */

import { createEventPublisher } from '../lib/aws/events.ts';
import { createExtensionRegistry } from '../lib/aws/extension-registry.ts';
import { createAsyncInvoker } from '../lib/aws/invoker.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
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
  /** The archive function; unset until it is deployed (then nothing is handed over). */
  ARCHIVE_FUNCTION_NAME: env.optionalString,
  /** The state table holding the extension registry; unset: no extension is marked changed. */
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
    extensions: {
      ...(config.STATE_TABLE_NAME
        ? {
            registry: createExtensionRegistry(
              createStateTable({ tableName: config.STATE_TABLE_NAME }),
            ),
          }
        : {}),
      ...(config.EXTENSIONS_FUNCTION_NAME
        ? { discovery: createAsyncInvoker({ functionName: config.EXTENSIONS_FUNCTION_NAME }) }
        : {}),
    },
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
