/**
 * send-sms-batch (POST /sms/batches, IAM-authorised): up to 10,000 recipients less the sender's
 * opt-outs, sent as one RingCentral high-volume SMS batch per Idempotency-Key; 202 with the batch
 * id and the recipients not sent to. The sender is checked on the container's first batch (a
 * number with A2PSmsSender); if it cannot send, every batch answers 503 naming it.
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { type SmsBatchAccepted, sendSmsBatchRequest } from '../lib/api/sms-batch.ts';
import { createIdempotencyPersistence } from '../lib/aws/idempotency.ts';
import { createSentBatchLedger } from '../lib/aws/sent-batch-ledger.ts';
import { createStateTable } from '../lib/aws/state-table.ts';
import type { RingCentral, RingCentralHooks } from '../lib/ringcentral/index.ts';
import { env, loadConfig } from '../lib/runtime/config.ts';
import {
  functionContext,
  ringCentralFromSecrets,
  ringCentralSecretsEnv,
} from '../lib/runtime/function-context.ts';
import { createHttpHandler } from '../lib/runtime/http-stack.ts';
import { MetricUnit } from '../lib/runtime/metrics.ts';
import type { SentBatchLedger } from '../lib/sending/batch-ports.ts';
import { senderNumberCheck } from '../lib/sending/sender-number.ts';
import { sendSmsBatch } from '../lib/sending/sms-batch.ts';
import * as z from '../lib/validation/zod.ts';

/** The environment send-sms-batch needs, validated at cold start. */
export const sendSmsBatchConfig = z.object({
  STATE_TABLE_NAME: env.requiredString,
  ...ringCentralSecretsEnv,
  SMS_FROM: env.phoneNumber,
  /** The high-volume sender, when it is not SMS_FROM. */
  A2P_SMS_FROM: env.optionalPhoneNumber,
});

/** What the handler works with; tests pass their own. */
export interface SendSmsBatchDependencies {
  /** The sending number when the body has no `from`. */
  a2pFrom: string;
  /** The configuration key that names it, for the error when it cannot send. */
  a2pFromSetting: string;
  /** Idempotency records (DynamoDB in a deployment). */
  persistence: BasePersistenceLayer;
  /** Who sent each batch (so that only they may read its progress). */
  ledger: SentBatchLedger;
  /** The RingCentral client, created once per container on first use. */
  ringCentral(hooks: RingCentralHooks): Promise<RingCentral>;
}

/** Builds the send-sms-batch handler. */
export function createHandler(dependencies: SendSmsBatchDependencies) {
  const context = functionContext('send-sms-batch');
  const checkSender = senderNumberCheck({
    phoneNumber: dependencies.a2pFrom,
    feature: 'A2PSmsSender',
    setting: dependencies.a2pFromSetting,
    listNumbers: async (options) =>
      (await dependencies.ringCentral(context.hooks)).extensions.phoneNumbers('~', options),
    onRefused: (error) =>
      context.logger.error(`${error.message} Every batch from it answers 503 until it is fixed.`, {
        phoneNumber: error.phoneNumber,
        reason: error.reason,
      }),
    onUncheckable: (error) =>
      context.logger.warn('Cannot list the sender numbers; batches go unchecked', { error }),
  });
  return createHttpHandler({
    ...context,
    body: sendSmsBatchRequest,
    idempotency: { required: true, persistence: dependencies.persistence },
    handler: async ({ body, caller, signal, deadline }) => {
      const ringCentral = await dependencies.ringCentral(context.hooks);
      const from = body.from ?? dependencies.a2pFrom;
      if (from === dependencies.a2pFrom) await checkSender({ signal, deadline });
      const { batch, refused } = await sendSmsBatch(
        ringCentral.a2p,
        {
          from,
          recipients: body.recipients,
          ...(body.text === undefined ? {} : { text: body.text }),
        },
        { signal, deadline },
      );
      context.metrics.addMetric('SmsBatchRecipients', MetricUnit.Count, batch.batchSize ?? 0);
      context.metrics.addMetric('SmsBatchOptedOut', MetricUnit.Count, refused.length);
      if (caller !== undefined) {
        await dependencies.ledger.recordSender({ batchId: batch.id, caller }).catch((error) =>
          context.logger.error('Could not record the sender; its progress cannot be read', {
            error,
          }),
        );
      }
      const accepted: SmsBatchAccepted = {
        id: batch.id,
        status: batch.status ?? 'Processing',
        from: batch.from ?? from,
        batchSize: batch.batchSize ?? body.recipients.length - refused.length,
        refused,
      };
      return { status: 202, body: accepted };
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): SendSmsBatchDependencies {
  const config = loadConfig(sendSmsBatchConfig, environment);
  const table = createStateTable({ tableName: config.STATE_TABLE_NAME });
  return {
    a2pFrom: config.A2P_SMS_FROM ?? config.SMS_FROM,
    a2pFromSetting: config.A2P_SMS_FROM === undefined ? 'SMS_FROM' : 'A2P_SMS_FROM',
    persistence: createIdempotencyPersistence({ tableName: config.STATE_TABLE_NAME }),
    ledger: createSentBatchLedger(table),
    ringCentral: ringCentralFromSecrets(config),
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
