/** The body of `POST /sms`. */
import * as z from '../validation/zod.ts';
import { correlationId, phoneNumber, recipients, utf16Text } from './fields.ts';

/** RingCentral's SMS text limit in UTF-16 code units. */
export const MAX_SMS_TEXT_UNITS = 1000;
/**
 * Recipients of one SMS. RingCentral sends to one number per SMS unless the account has group
 * messaging, which takes up to 10.
 */
export const MAX_SMS_RECIPIENTS = 10;

/** `POST /sms` request body. */
export const sendSmsRequest = z
  .strictObject({
    from: z.optional(phoneNumber).check(
      z.meta({
        description:
          'Sending number (E.164) of the authorised user, with the SMS feature. Defaults to the configured SMS_FROM.',
      }),
    ),
    to: recipients(phoneNumber, MAX_SMS_RECIPIENTS, 'Recipient numbers (E.164).', ['+16505550102']),
    text: utf16Text(MAX_SMS_TEXT_UNITS, 'Message text.'),
    correlationId: z.optional(correlationId),
  })
  .check(
    z.meta({
      title: 'SendSmsRequest',
      description: 'An SMS to send once per Idempotency-Key.',
      examples: [{ to: ['+16505550102'], text: 'Your order has shipped.' }],
    }),
  );

/** A validated `POST /sms` body. */
export type SendSmsRequest = z.infer<typeof sendSmsRequest>;
