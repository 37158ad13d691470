/** `GET /messages/{messageId}`: the path parameter and the answer. */
import * as z from '../validation/zod.ts';
import { idString } from './fields.ts';

/** RingCentral's `MessageStatusEnum`. */
export const MESSAGE_STATUSES = [
  'Queued',
  'Sent',
  'Delivered',
  'DeliveryFailed',
  'SendingFailed',
  'Received',
] as const;

/** How delivery went, as RingCentral reports it: the status answer and the status event share them. */
export const deliveryFields = {
  deliveryErrorCode: z
    .optional(z.string())
    .check(z.meta({ description: "RingCentral's delivery error code, when delivery failed." })),
  smsDeliveryTime: z
    .optional(z.string())
    .check(z.meta({ description: 'When the SMS was delivered.' })),
  smsSendingAttemptsCount: z.optional(z.int()),
};

/** One recipient's status (a fax reports per recipient). */
export const recipientStatus = z.strictObject({
  phoneNumber: z.optional(z.string()),
  extensionNumber: z.optional(z.string()),
  messageStatus: z.optional(z.enum(MESSAGE_STATUSES)),
  faxErrorCode: z
    .optional(z.string())
    .check(z.meta({ description: 'Why the fax to this recipient failed.' })),
});

/** The path parameters of `GET /messages/{messageId}`. */
export const messageStatusPath = z.strictObject({
  messageId: idString.check(z.meta({ description: 'The id a send answered.' })),
});

/** The 200 body: the message's current status as RingCentral reports it. */
export const messageStatusResponse = z
  .strictObject({
    id: idString,
    type: z.optional(z.string()),
    messageStatus: z
      .optional(z.enum(MESSAGE_STATUSES))
      .check(z.meta({ description: "RingCentral's current status of the message." })),
    creationTime: z.optional(z.string()),
    lastModifiedTime: z.optional(z.string()),
    ...deliveryFields,
    faxPageCount: z
      .optional(z.int())
      .check(z.meta({ description: 'Pages of the fax, once rendered.' })),
    faxResolution: z.optional(z.string()),
    recipients: z
      .array(recipientStatus)
      .check(z.meta({ description: "Each recipient's status (a fax reports per recipient)." })),
    readAt: z.string().check(
      z.meta({
        description:
          'When this status was read from RingCentral; polling within a few seconds gets the same answer.',
      }),
    ),
  })
  .check(
    z.meta({
      title: 'MessageStatus',
      description: 'The current status of a message this caller sent.',
      examples: [
        {
          id: '3245687190234',
          type: 'SMS',
          messageStatus: 'Delivered',
          smsDeliveryTime: '2026-01-05T10:00:03.000Z',
          recipients: [{ phoneNumber: '+16505550102', messageStatus: 'Delivered' }],
          readAt: '2026-01-05T10:00:05.000Z',
        },
      ],
    }),
  );

/** A validated 200 body. */
export type MessageStatusResponse = z.infer<typeof messageStatusResponse>;
