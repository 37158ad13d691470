/**
 * send-sms (POST /sms, IAM-authorised): validates the body, sends one SMS per Idempotency-Key
 * through RingCentral and answers 202 with the message id and status. The configured sender is
 * checked on the container's first send (a number of the user with SmsSender); if it cannot send,
 * one error is logged and every send from it answers 503 naming it.
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { toSentMessageResponse } from '../lib/api/sent-message.ts';
import { sendSmsRequest } from '../lib/api/sms.ts';
import { createIdempotencyPersistence } from '../lib/aws/idempotency.ts';
import { createSentMessageLedger } from '../lib/aws/sent-message-ledger.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import type { RingCentral, RingCentralHooks } from '../lib/ringcentral/index.ts';
import { nonEmpty } from '../lib/ringcentral/index.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import {
  functionContext,
  ringCentralFromSecrets,
  ringCentralSecretsEnv,
} from '../lib/runtime/function-context.ts';
import { createHttpHandler } from '../lib/runtime/http-stack.ts';
import type { SentMessageLedger } from '../lib/sending/ports.ts';
import { senderNumberCheck } from '../lib/sending/sender-number.ts';
import { reportAccepted } from '../lib/sending/sent-messages.ts';
import * as z from '../lib/validation/zod.ts';

/** The environment send-sms needs, validated at cold start. */
export const sendSmsConfig = z.object({
  STATE_TABLE_NAME: env.requiredString,
  ...ringCentralSecretsEnv,
  SMS_FROM: env.phoneNumber,
});

/** What the handler works with; tests pass their own. */
export interface SendSmsDependencies {
  /** The sending number when the body has no `from`. */
  smsFrom: string;
  /** Idempotency records (DynamoDB in a deployment). */
  persistence: BasePersistenceLayer;
  /** Who sent each message (so that only they may read its status). */
  ledger: SentMessageLedger;
  /** The RingCentral client, created once per container on first use. */
  ringCentral(hooks: RingCentralHooks): Promise<RingCentral>;
}

/** Builds the send-sms handler. */
export function createHandler(dependencies: SendSmsDependencies) {
  const context = functionContext('send-sms');
  const checkSender = senderNumberCheck({
    phoneNumber: dependencies.smsFrom,
    feature: 'SmsSender',
    setting: 'SMS_FROM',
    listNumbers: async (options) =>
      (await dependencies.ringCentral(context.hooks)).extensions.phoneNumbers('~', options),
    onRefused: (error) =>
      context.logger.error(`${error.message} Every send from it answers 503 until it is fixed.`, {
        phoneNumber: error.phoneNumber,
        reason: error.reason,
      }),
    onUncheckable: (error) =>
      context.logger.warn('Cannot list the sender numbers; sends from SMS_FROM go unchecked', {
        error,
      }),
  });
  return createHttpHandler({
    ...context,
    body: sendSmsRequest,
    idempotency: { required: true, persistence: dependencies.persistence },
    handler: async ({ body, caller, signal, deadline }) => {
      const ringCentral = await dependencies.ringCentral(context.hooks);
      const from = body.from ?? dependencies.smsFrom;
      if (from === dependencies.smsFrom) await checkSender({ signal, deadline });
      const sent = await ringCentral.sms.send(
        {
          from,
          to: nonEmpty(body.to, 'to'),
          text: body.text,
        },
        { signal, deadline },
      );
      const accepted = { sent, type: 'SMS', caller, correlationId: body.correlationId } as const;
      await reportAccepted(accepted, 'SmsSent', dependencies.ledger, context);
      return { status: 202, body: toSentMessageResponse(sent, 'SMS') };
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): SendSmsDependencies {
  const config = loadConfig(sendSmsConfig, environment);
  return {
    smsFrom: config.SMS_FROM,
    persistence: createIdempotencyPersistence({ tableName: config.STATE_TABLE_NAME }),
    ledger: createSentMessageLedger(createStateTable({ tableName: config.STATE_TABLE_NAME })),
    ringCentral: ringCentralFromSecrets(config),
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
