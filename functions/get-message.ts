/**
 * get-message (GET /messages/{messageId}, IAM-authorised): the current status of a message the
 * caller sent through this API, read from RingCentral and cached for a few seconds in the state
 * table, so that polling callers cannot exhaust RingCentral's budget.
 */
import { messageStatusPath } from '../lib/api/message-status.ts';
import { createSentMessageLedger } from '../lib/aws/sent-message-ledger.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import type { RingCentral, RingCentralHooks } from '../lib/ringcentral/index.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import {
  functionContext,
  ringCentralFromSecrets,
  ringCentralSecretsEnv,
} from '../lib/runtime/function-context.ts';
import { createHttpHandler } from '../lib/runtime/http-stack.ts';
import { MessageNotFoundError, readMessageStatus } from '../lib/sending/message-status.ts';
import type { SentMessageLedger } from '../lib/sending/ports.ts';
import * as z from '../lib/validation/zod.ts';

/** The environment get-message needs, validated at cold start. */
export const getMessageConfig = z.object({
  STATE_TABLE_NAME: env.requiredString,
  ...ringCentralSecretsEnv,
});

/** What the handler works with; tests pass their own. */
export interface GetMessageDependencies {
  /** Who sent each message, and the status cache. */
  ledger: SentMessageLedger;
  /** The RingCentral client, created once per container on first use. */
  ringCentral(hooks: RingCentralHooks): Promise<RingCentral>;
}

/** Builds the get-message handler. */
export function createHandler(dependencies: GetMessageDependencies) {
  const context = functionContext('get-message');
  return createHttpHandler({
    ...context,
    // A GET carries no body; one that does is refused like any invalid body.
    body: z.undefined(),
    allowEmptyBody: true,
    handler: async ({ pathParameters, caller, signal, deadline }) => {
      const { messageId } = z.parse(messageStatusPath, pathParameters);
      if (caller === undefined) throw new MessageNotFoundError(messageId);
      const status = await readMessageStatus(
        {
          ledger: dependencies.ledger,
          caller,
          messageId,
          readMessage: async (id, options) =>
            (await dependencies.ringCentral(context.hooks)).messages.get(id, options),
        },
        { signal, deadline },
      );
      return { status: 200, body: status };
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): GetMessageDependencies {
  const config = loadConfig(getMessageConfig, environment);
  return {
    ledger: createSentMessageLedger(createStateTable({ tableName: config.STATE_TABLE_NAME })),
    ringCentral: ringCentralFromSecrets(config),
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
