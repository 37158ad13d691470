/**
 * The OpenAPI 3.1 document of the project's own HTTP API, generated from the zod schemas the
 * functions validate requests with, so the document cannot drift from the code.
 */
import * as z from '../validation/zod.ts';
import { FAX_DOCUMENT_TYPES } from './document-types.ts';
import {
  inlineFaxDocument,
  MAX_FAX_REQUEST_BYTES,
  MAX_FAX_TOTAL_BYTES,
  MAX_INLINE_DOCUMENT_BYTES,
  s3FaxDocument,
  sendFaxRequest,
} from './fax.ts';
import { messageStatusResponse } from './message-status.ts';
import { messageStatusChangedEvent } from './message-status-event.ts';
import { sendPagerRequest } from './pager.ts';
import { problemResponse, sentMessageResponse } from './responses.ts';
import { sendSmsRequest } from './sms.ts';
import {
  MAX_BATCH_RESULTS_PER_PAGE,
  sendSmsBatchRequest,
  smsBatchAccepted,
  smsBatchStatusResponse,
} from './sms-batch.ts';

/** The API's version, shown in the document. */
export const API_VERSION = '1.0.0';

/** Names of the component schemas, which are also the `$ref` targets. */
const SCHEMAS = {
  SendSmsRequest: sendSmsRequest,
  SendPagerRequest: sendPagerRequest,
  SendFaxRequest: sendFaxRequest,
  InlineFaxDocument: inlineFaxDocument,
  S3FaxDocument: s3FaxDocument,
  SentMessage: sentMessageResponse,
  MessageStatus: messageStatusResponse,
  SendSmsBatchRequest: sendSmsBatchRequest,
  SmsBatchAccepted: smsBatchAccepted,
  SmsBatchStatus: smsBatchStatusResponse,
  MessageStatusChangedEvent: messageStatusChangedEvent,
  Problem: problemResponse,
} as const;

type SchemaName = keyof typeof SCHEMAS;
type JsonObject = Record<string, unknown>;

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

/** Component schemas as JSON Schema 2020-12 (OpenAPI 3.1's dialect), referencing each other. */
function componentSchemas(): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(SCHEMAS)) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonObject> };
  // `$schema` and `$id` belong to standalone documents; inside components they would re-base refs.
  return Object.fromEntries(
    Object.entries(generated.schemas).map(([id, schema]) => {
      const { $schema: _schema, $id: _id, ...rest } = schema;
      return [id, rest];
    }),
  );
}

function problem(description: string, retry = false): JsonObject {
  return {
    description,
    ...(retry ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } } : {}),
    content: { 'application/problem+json': { schema: ref('Problem') } },
  };
}

function sendOperation(init: {
  operationId: string;
  summary: string;
  description: string;
  body: SchemaName;
  extraResponses?: Record<string, JsonObject>;
  /** The 202 answer, when it is not the sent message. */
  accepted?: { schema: SchemaName; description: string };
}): JsonObject {
  return {
    operationId: init.operationId,
    summary: init.summary,
    description: init.description,
    tags: ['Send'],
    security: [{ sigv4: [] }],
    parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: ref(init.body) } },
    },
    responses: {
      '202': {
        description:
          init.accepted?.description ??
          'RingCentral accepted the message. A repeat of a finished request with the same Idempotency-Key gets this same response.',
        content: { 'application/json': { schema: ref(init.accepted?.schema ?? 'SentMessage') } },
      },
      '400': problem(
        'The body or the Idempotency-Key header is invalid; `errors` names each field.',
      ),
      '409': problem('A request with the same Idempotency-Key is still in progress.'),
      '413': problem('The request body is too large.'),
      '415': problem('The request body is not application/json.'),
      '422': problem(
        'RingCentral refused the message for its content (for SMS the carrier, SMS-CAR-45x), or the Idempotency-Key was used before with a different body.',
      ),
      ...init.extraResponses,
      '500': problem('An unexpected error; no detail is given.'),
      '502': problem('RingCentral failed or refused our credentials.'),
      '503': problem(
        'RingCentral is rate-limiting this account, or the configured sender cannot send (`detail` names it); retry after Retry-After.',
        true,
      ),
      '504': problem('RingCentral did not answer in time; retry after Retry-After.', true),
    },
  };
}

/** `GET /messages/{messageId}`: the status of a message the caller sent. */
function messageStatusOperation(): JsonObject {
  return {
    operationId: 'getMessageStatus',
    summary: 'Read the status of a sent message',
    description:
      'The current status of a message this caller (its IAM role, whatever the session) sent through this API, as RingCentral reports it: status, delivery error code and time, fax page count and per-recipient results. Cached for a few seconds.',
    tags: ['Send'],
    security: [{ sigv4: [] }],
    parameters: [
      {
        name: 'messageId',
        in: 'path',
        required: true,
        description: 'The id a send answered (a decimal string).',
        schema: { type: 'string', pattern: '^\\d{1,20}$' },
      },
    ],
    responses: {
      '200': {
        description: 'The current status.',
        content: { 'application/json': { schema: ref('MessageStatus') } },
      },
      '400': problem('The message id is not a decimal id string.'),
      '404': problem('No message with this id was sent by this caller.'),
      '500': problem('An unexpected error; no detail is given.'),
      '502': problem('RingCentral failed or refused our credentials.'),
      '503': problem('RingCentral is rate-limiting this account; retry after Retry-After.', true),
      '504': problem('RingCentral did not answer in time; retry after Retry-After.', true),
    },
  };
}

/** `GET /sms/batches/{batchId}`: the progress of a batch the caller sent. */
function batchStatusOperation(): JsonObject {
  return {
    operationId: 'getSmsBatch',
    summary: 'Read the progress of a high-volume SMS batch',
    description:
      'The progress of a batch this caller (its IAM role, whatever the session) sent through this API, and one page of per-recipient results, as RingCentral reports them (two Light requests). Follow `nextPageToken` for the next page.',
    tags: ['Send'],
    security: [{ sigv4: [] }],
    parameters: [
      {
        name: 'batchId',
        in: 'path',
        required: true,
        description: 'The id `POST /sms/batches` answered.',
        schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$' },
      },
      {
        name: 'pageToken',
        in: 'query',
        required: false,
        description: 'The `nextPageToken` of the previous page; absent for the first page.',
        schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,1024}$' },
      },
      {
        name: 'perPage',
        in: 'query',
        required: false,
        description: `Results per page, 1 to ${MAX_BATCH_RESULTS_PER_PAGE} (default ${MAX_BATCH_RESULTS_PER_PAGE}).`,
        schema: { type: 'integer', minimum: 1, maximum: MAX_BATCH_RESULTS_PER_PAGE },
      },
    ],
    responses: {
      '200': {
        description: 'The batch and a page of results.',
        content: { 'application/json': { schema: ref('SmsBatchStatus') } },
      },
      '400': problem('The batch id, page token or page size is invalid.'),
      '404': problem('No batch with this id was sent by this caller.'),
      '500': problem('An unexpected error; no detail is given.'),
      '502': problem('RingCentral failed or refused our credentials.'),
      '503': problem('RingCentral is rate-limiting this account; retry after Retry-After.', true),
      '504': problem('RingCentral did not answer in time; retry after Retry-After.', true),
    },
  };
}

/** Builds the OpenAPI 3.1 document of the HTTP API. */
export function buildOpenApiDocument(): JsonObject {
  const types = [...FAX_DOCUMENT_TYPES.keys()].join(', ');
  return {
    openapi: '3.1.0',
    info: {
      title: 'RingCentral message automation',
      version: API_VERSION,
      description:
        "Send SMS, internal pager messages and faxes through the deployment's RingCentral account. Every route is IAM-authorised (SigV4) and requires an Idempotency-Key: one message per key. Errors are RFC 9457 problem details. Each change of a sent message's status is also published on the deployment's EventBridge bus as `Message Status Changed` (source `ringcentral-message-automation.sending`), its detail the MessageStatusChangedEvent schema, carrying the `correlationId` given to the send.",
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [{ name: 'Send', description: 'Outbound messages.' }],
    paths: {
      '/sms': {
        post: sendOperation({
          operationId: 'sendSms',
          summary: 'Send an SMS',
          description: 'Sends an SMS from the configured number (or `from`) to 1-10 numbers.',
          body: 'SendSmsRequest',
        }),
      },
      '/pager': {
        post: sendOperation({
          operationId: 'sendPager',
          summary: 'Send an internal pager message',
          description: 'Sends a company pager message to extensions of the account.',
          body: 'SendPagerRequest',
        }),
      },
      '/messages/{messageId}': { get: messageStatusOperation() },
      '/sms/batches': {
        post: sendOperation({
          operationId: 'sendSmsBatch',
          summary: 'Send up to 10,000 SMS in one batch',
          description:
            "Sends through RingCentral's high-volume SMS (A2P) from the configured number (or `from`, which needs the A2PSmsSender feature): one text for all recipients or a text per recipient. Numbers on the sender's opt-out list (recipients who replied STOP) are never sent to: they are answered in `refused`.",
          body: 'SendSmsBatchRequest',
          accepted: {
            schema: 'SmsBatchAccepted',
            description:
              'RingCentral accepted the batch; its messages go out in the next minutes (GET /sms/batches/{batchId}). A repeat of a finished request with the same Idempotency-Key gets this same response.',
          },
          extraResponses: {
            '422': problem(
              'Every recipient has opted out (nothing was sent), RingCentral refused the batch (e.g. a `from` without the A2PSmsSender feature: `errors` names `from`), or the Idempotency-Key was used before with a different body.',
            ),
          },
        }),
      },
      '/sms/batches/{batchId}': { get: batchStatusOperation() },
      '/fax': {
        post: sendOperation({
          operationId: 'sendFax',
          summary: 'Send a fax',
          description: `Sends a fax of inline or S3 documents (${types}), ${MAX_FAX_TOTAL_BYTES / 1024 / 1024} MB in all. Inline documents may hold ${MAX_INLINE_DOCUMENT_BYTES} bytes in all (a request body ${MAX_FAX_REQUEST_BYTES} bytes, what a synchronous Lambda invocation takes); larger documents go in S3 under the caller's own prefix (its role name and a slash). S3 documents are streamed, never buffered whole.`,
          body: 'SendFaxRequest',
          extraResponses: {
            '403': problem(
              "An S3 document lies outside the caller's own key prefix (its role name and a slash).",
            ),
            '413': problem(
              `The body is over ${MAX_FAX_REQUEST_BYTES} bytes (\`detail\` says how to send the documents from S3 instead), or the documents total more than ${MAX_FAX_TOTAL_BYTES / 1024 / 1024} MB.`,
            ),
            '415': problem(
              'The request body is not application/json, or RingCentral does not accept a document type (MSG-348).',
            ),
          },
        }),
      },
    },
    components: {
      schemas: componentSchemas(),
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: true,
          description:
            'A unique key per intended message (e.g. a UUID). The same key sends at most once: a concurrent duplicate gets 409, a later repeat the stored response.',
          schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
        },
      },
      headers: {
        RetryAfter: {
          description: 'Seconds to wait before retrying.',
          schema: { type: 'integer', minimum: 0 },
        },
      },
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description: 'AWS Signature Version 4 (API Gateway IAM authorisation).',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
  };
}

/** The document as the text committed in docs/openapi.json. */
export function openApiJson(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
