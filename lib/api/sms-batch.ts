/** `POST /sms/batches` and `GET /sms/batches/{batchId}`: high-volume SMS through RingCentral's A2P batches. */
import * as z from '../validation/zod.ts';
import { phoneNumber, utf16Text } from './fields.ts';
import { MAX_SMS_TEXT_UNITS } from './sms.ts';

/** Recipients of one batch: RingCentral's limit of messages per batch request. */
export const MAX_BATCH_RECIPIENTS = 10_000;
/** Largest page of per-recipient results (RingCentral's page limit). */
export const MAX_BATCH_RESULTS_PER_PAGE = 1000;

const recipient = z.strictObject({
  to: phoneNumber,
  text: z
    .optional(utf16Text(MAX_SMS_TEXT_UNITS, 'Text for this recipient only.'))
    .check(z.meta({ description: 'Overrides the batch `text` for this recipient.' })),
});

/** `POST /sms/batches` request body. */
export const sendSmsBatchRequest = z
  .strictObject({
    from: z.optional(phoneNumber).check(
      z.meta({
        description:
          'Sending number (E.164) of the authorised user, with the A2PSmsSender feature. Defaults to the configured A2P_SMS_FROM (else SMS_FROM).',
      }),
    ),
    text: z.optional(
      utf16Text(MAX_SMS_TEXT_UNITS, 'Text of every recipient that has no `text` of its own.'),
    ),
    recipients: z.array(recipient).check(
      z.minLength(1, { error: 'needs at least one recipient' }),
      z.maxLength(MAX_BATCH_RECIPIENTS, {
        error: `allows at most ${MAX_BATCH_RECIPIENTS} recipients`,
      }),
      z.meta({
        description: `1 to ${MAX_BATCH_RECIPIENTS} recipients (US and Canada numbers), each sent one message.`,
      }),
    ),
  })
  .check(
    z.superRefine((body, context) => {
      if (body.text !== undefined) return;
      body.recipients.forEach((entry, index) => {
        if (entry.text !== undefined) return;
        context.addIssue({
          code: 'custom',
          path: ['recipients', index, 'text'],
          message: 'is required when the batch has no `text`',
          input: entry,
        });
      });
    }),
    z.meta({
      title: 'SendSmsBatchRequest',
      description:
        'Up to 10,000 SMS sent through RingCentral high-volume SMS, once per Idempotency-Key: one text for all, or a text per recipient.',
      examples: [
        {
          text: 'Your order has shipped.',
          recipients: [{ to: '+16505550102' }, { to: '+16505550103', text: 'Your order is late.' }],
        },
      ],
    }),
  );

/** A validated `POST /sms/batches` body. */
export type SendSmsBatchRequest = z.infer<typeof sendSmsBatchRequest>;

const BATCH_STATUSES = ['Queued', 'Processing', 'Completed', 'Sent'] as const;
const RECIPIENT_STATUSES = [
  'Queued',
  'Delivered',
  'Sent',
  'SendingFailed',
  'DeliveryFailed',
] as const;

const batchId = z
  .string()
  .check(
    z.regex(/^[A-Za-z0-9_-]{1,100}$/, { error: 'must be a batch id' }),
    z.meta({ description: 'The batch id `POST /sms/batches` answered.' }),
  );

/** A recipient that was not sent to, and why. */
const refusedRecipient = z.strictObject({
  index: z
    .int()
    .check(z.meta({ description: 'Position of the recipient in the request, from 0.' })),
  to: z.string(),
  reason: z.enum(['OptedOut', 'Rejected']).check(
    z.meta({
      description:
        '`OptedOut`: the number replied STOP to this sender (RingCentral opt-out list), nothing was sent; `Rejected`: RingCentral refused the recipient.',
    }),
  ),
  errorCode: z.optional(z.string()),
});

/** 202 body of `POST /sms/batches`. */
export const smsBatchAccepted = z
  .strictObject({
    id: batchId,
    status: z.enum(BATCH_STATUSES),
    from: z.string(),
    batchSize: z.int().check(z.meta({ description: 'Messages RingCentral accepted.' })),
    refused: z
      .array(refusedRecipient)
      .check(z.meta({ description: 'Recipients not sent to: opted out, or rejected.' })),
  })
  .check(
    z.meta({
      title: 'SmsBatchAccepted',
      description: 'The batch RingCentral accepted; read its progress at GET /sms/batches/{id}.',
      examples: [
        {
          id: '1770000000001',
          status: 'Processing',
          from: '+16505550101',
          batchSize: 1,
          refused: [{ index: 1, to: '+16505550103', reason: 'OptedOut' }],
        },
      ],
    }),
  );

/** A validated 202 body. */
export type SmsBatchAccepted = z.infer<typeof smsBatchAccepted>;

/** The path parameters of `GET /sms/batches/{batchId}`. */
export const smsBatchPath = z.strictObject({ batchId });

/** The query of `GET /sms/batches/{batchId}`: which page of per-recipient results. */
export const smsBatchQuery = z.strictObject({
  pageToken: z.optional(
    z
      .string()
      .check(
        z.regex(/^[\x21-\x7e]{1,1024}$/, { error: 'must be a nextPageToken of a previous page' }),
        z.meta({ description: 'The `nextPageToken` of the previous page; absent for the first.' }),
      ),
  ),
  perPage: z.optional(
    z.string().check(
      z.regex(/^\d{1,4}$/, { error: 'must be a whole number' }),
      z.refine(
        (value: string) => Number(value) >= 1 && Number(value) <= MAX_BATCH_RESULTS_PER_PAGE,
        { error: `must be 1 to ${MAX_BATCH_RESULTS_PER_PAGE}` },
      ),
      z.meta({ description: `Results per page, 1 to ${MAX_BATCH_RESULTS_PER_PAGE} (default).` }),
    ),
  ),
});

/** 200 body of `GET /sms/batches/{batchId}`. */
export const smsBatchStatusResponse = z
  .strictObject({
    id: batchId,
    status: z.optional(z.enum(BATCH_STATUSES)),
    from: z.optional(z.string()),
    batchSize: z.optional(z.int()),
    processedCount: z
      .optional(z.int())
      .check(z.meta({ description: 'Messages RingCentral has processed so far.' })),
    creationTime: z.optional(z.string()),
    lastModifiedTime: z.optional(z.string()),
    recipients: z
      .array(
        z.strictObject({
          messageId: z.string(),
          to: z.optional(z.string()),
          messageStatus: z.optional(z.enum(RECIPIENT_STATUSES)),
          errorCode: z
            .optional(z.string())
            .check(z.meta({ description: 'Why sending or delivery failed.' })),
          lastModifiedTime: z.optional(z.string()),
        }),
      )
      .check(z.meta({ description: "This page of the recipients' results." })),
    nextPageToken: z
      .optional(z.string())
      .check(z.meta({ description: 'Pass as `pageToken` for the next page; absent on the last.' })),
    readAt: z.string().check(
      z.meta({
        description:
          'When this was read from RingCentral; polling within a few seconds gets the same answer.',
      }),
    ),
  })
  .check(
    z.meta({
      title: 'SmsBatchStatus',
      description: 'Progress of a batch this caller sent, and a page of per-recipient results.',
      examples: [
        {
          id: '1770000000001',
          status: 'Completed',
          from: '+16505550101',
          batchSize: 1,
          processedCount: 1,
          recipients: [
            { messageId: '1770000000002', to: '+16505550102', messageStatus: 'Delivered' },
          ],
          readAt: '2026-01-05T10:00:05.000Z',
        },
      ],
    }),
  );

/** A validated 200 body. */
export type SmsBatchStatusResponse = z.infer<typeof smsBatchStatusResponse>;
