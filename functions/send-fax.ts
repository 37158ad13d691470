/**
 * send-fax (POST /fax, IAM-authorised): validates the body (at most 6,000,000 bytes: 413 naming
 * the S3 alternative above), holds S3 documents to the caller's own key prefix (403 outside it),
 * checks their sizes, sends one fax per Idempotency-Key with the documents streamed into the
 * multipart upload (S3 objects are never buffered whole) and answers 202 with the message id and
 * status.
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { FAX_TOO_LARGE_DETAIL, MAX_FAX_REQUEST_BYTES, sendFaxRequestFor } from '../lib/api/fax.ts';
import type { DocumentObjectReader } from '../lib/api/fax-documents.ts';
import { prepareFaxAttachments, requireOwnDocuments } from '../lib/api/fax-documents.ts';
import { toSentMessageResponse } from '../lib/api/sent-message.ts';
import { createIdempotencyPersistence } from '../lib/aws/idempotency.ts';
import { createObjectReader } from '../lib/aws/s3-objects.ts';
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
import { reportAccepted } from '../lib/sending/sent-messages.ts';
import * as z from '../lib/validation/zod.ts';

/** The environment send-fax needs, validated at cold start. */
export const sendFaxConfig = z.object({
  STATE_TABLE_NAME: env.requiredString,
  ...ringCentralSecretsEnv,
  /** Buckets S3 document references may name (comma-separated); none when unset. */
  FAX_DOCUMENT_BUCKETS: z._default(env.list, []),
});

/** What the handler works with; tests pass their own. */
export interface SendFaxDependencies {
  /** Buckets the function may read documents from. */
  allowedBuckets: readonly string[];
  /** Reads S3 documents (HeadObject, streamed GetObject). */
  objects: DocumentObjectReader;
  /** Idempotency records (DynamoDB in a deployment). */
  persistence: BasePersistenceLayer;
  /** Who sent each message (so that only they may read its status). */
  ledger: SentMessageLedger;
  /** The RingCentral client, created once per container on first use. */
  ringCentral(hooks: RingCentralHooks): Promise<RingCentral>;
}

/** Builds the send-fax handler. */
export function createHandler(dependencies: SendFaxDependencies) {
  const context = functionContext('send-fax');
  return createHttpHandler({
    ...context,
    body: sendFaxRequestFor(dependencies.allowedBuckets),
    maxBodyBytes: MAX_FAX_REQUEST_BYTES,
    bodyTooLargeDetail: FAX_TOO_LARGE_DETAIL,
    idempotency: { required: true, persistence: dependencies.persistence },
    handler: async ({ body, caller, signal, deadline }) => {
      requireOwnDocuments(body.documents, caller);
      const attachments = await prepareFaxAttachments(body.documents, dependencies.objects);
      const ringCentral = await dependencies.ringCentral(context.hooks);
      const sent = await ringCentral.fax.send(
        {
          to: nonEmpty(body.to, 'to'),
          attachments: nonEmpty(attachments, 'documents'),
          ...(body.faxResolution === undefined ? {} : { faxResolution: body.faxResolution }),
          ...(body.sendTime === undefined ? {} : { sendTime: body.sendTime }),
          ...(body.isoCode === undefined ? {} : { isoCode: body.isoCode }),
          ...(body.coverIndex === undefined ? {} : { coverIndex: body.coverIndex }),
          ...(body.coverPageText === undefined ? {} : { coverPageText: body.coverPageText }),
        },
        { signal, deadline },
      );
      const accepted = { sent, type: 'Fax', caller, correlationId: body.correlationId } as const;
      await reportAccepted(accepted, 'FaxSent', dependencies.ledger, context);
      return { status: 202, body: toSentMessageResponse(sent, 'Fax') };
    },
  });
}

/** The dependencies of a deployed function, from the validated environment. */
export function dependenciesFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): SendFaxDependencies {
  const config = loadConfig(sendFaxConfig, environment);
  return {
    allowedBuckets: config.FAX_DOCUMENT_BUCKETS,
    objects: createObjectReader(),
    persistence: createIdempotencyPersistence({ tableName: config.STATE_TABLE_NAME }),
    ledger: createSentMessageLedger(createStateTable({ tableName: config.STATE_TABLE_NAME })),
    ringCentral: ringCentralFromSecrets(config),
  };
}

/** The Lambda entry point. */
export const handler = createHandler(dependenciesFromEnvironment());
