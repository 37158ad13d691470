/**
 * The detail of the `Message Status Changed` EventBridge event (source
 * `ringcentral-message-automation.sending`), documented with the HTTP API because it answers a
 * send: callers match their own `correlationId` in it.
 */
import * as z from '../validation/zod.ts';
import { correlationId, idString } from './fields.ts';
import { deliveryFields, MESSAGE_STATUSES, recipientStatus } from './message-status.ts';

const status = z.enum(MESSAGE_STATUSES);

/** The event detail. */
export const messageStatusChangedEvent = z
  .strictObject({
    messageId: idString,
    type: z.enum(['SMS', 'Pager', 'Fax']),
    previousStatus: status.check(
      z.meta({ description: 'The status last published (or the one the send answered).' }),
    ),
    messageStatus: status.check(z.meta({ description: "RingCentral's new status." })),
    ...deliveryFields,
    faxPageCount: z.optional(z.int()).check(z.meta({ description: 'Pages of the fax.' })),
    faxResolution: z.optional(z.string()),
    recipients: z
      .array(recipientStatus)
      .check(z.meta({ description: "Each recipient's status (a fax's result per recipient)." })),
    lastModifiedTime: z.optional(z.string()),
    correlationId: z.optional(correlationId),
    caller: z.string().check(z.meta({ description: 'The IAM principal that sent the message.' })),
    observedAt: z.string().check(z.meta({ description: 'When the change was read.' })),
    trigger: z.enum(['notification', 'poll']).check(
      z.meta({
        description:
          "What found the change: RingCentral's message-store notification, or the follow-up poll.",
      }),
    ),
  })
  .check(
    z.meta({
      title: 'MessageStatusChangedEvent',
      description:
        "The `detail` of the EventBridge event `Message Status Changed` (source `ringcentral-message-automation.sending`) on the deployment's bus: one per change of a sent message's status, until it is final (SMS: Delivered, DeliveryFailed, SendingFailed; fax: Sent or failed), at most 3 hours after the send.",
      examples: [
        {
          messageId: '3245687190234',
          type: 'SMS',
          previousStatus: 'Sent',
          messageStatus: 'Delivered',
          smsDeliveryTime: '2026-01-05T10:00:03.000Z',
          recipients: [{ phoneNumber: '+16505550102', messageStatus: 'Delivered' }],
          correlationId: 'order-4711',
          caller: 'arn:aws:sts::123456789012:assumed-role/orders-service/task-1',
          observedAt: '2026-01-05T10:00:05.000Z',
          trigger: 'notification',
        },
      ],
    }),
  );

/** A validated event detail. */
export type MessageStatusChangedEvent = z.infer<typeof messageStatusChangedEvent>;
