/**
 * send-pager (POST /pager, IAM-authorised): validates the body, sends one internal pager message
 * per Idempotency-Key through RingCentral and answers 202 with the message id and status.
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { sendPagerRequest } from '../lib/api/pager.ts';
import { toSentMessageResponse } from '../lib/api/sent-message.ts';
import { createIdempotencyPersistence } from '../lib/aws/idempotency.ts';
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
import type { SentMessageLedger } from '../lib/sending/ports.ts';
import { reportAccepted } from '../lib/sending/sent-messages.ts';
import * as z from '../lib/validation/zod.ts';

/** The environment send-pager needs, validated at cold start. */
export const sendPagerConfig = z.object({
  STATE_TABLE_NAME: env.requiredString,
  ...ringCentralSecretsEnv,
});

/** What the handler works with; tests pass their own. */
export interface SendPagerDependencies {
  /** Idempotency records (DynamoDB in a deployment). */
  persistence: BasePersistenceLayer;
  /** Who sent each message (so that only they may read its status). */
  ledger: SentMessageLedger;
  /** The RingCentral client, created once per container on first use. */
  ringCentral(hooks: RingCentralHooks): Promise<RingCentral>;
}

/** Builds the send-pager handler. */
export function createHandler(dependencies: SendPagerDependencies) {
  const context = functionContext('send-pager');
  return createHttpHandler({
    ...context,
    body: sendPagerRequest,
    idempotency: { required: true, persistence: dependencies.persistence },
    handler: async ({ body, caller, signal, deadline }) => {
      const ringCentral = await dependencies.ringCentral(context.hooks);
      const sent = await ringCentral.pager.send(
        {
          to: body.to,
          text: body.text,
          ...(body.replyOn === undefined ? {} : { replyOn: body.replyOn }),
        },
        { signal, deadline },
      );
      const accepted = { sent, type: 'Pager', caller, correlationId: body.correlationId } as const;
      await reportAccepted(accepted, 'PagerSent', dependencies.ledger, context);
      return { status: 202, body: toSentMessageResponse(sent, 'Pager') };
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): SendPagerDependencies {
  const config = loadConfig(sendPagerConfig, environment);
  return {
    persistence: createIdempotencyPersistence({ tableName: config.STATE_TABLE_NAME }),
    ledger: createSentMessageLedger(createStateTable({ tableName: config.STATE_TABLE_NAME })),
    ringCentral: ringCentralFromSecrets(config),
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
