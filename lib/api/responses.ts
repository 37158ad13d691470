/** Response bodies of the project's HTTP API. */
import * as z from '../validation/zod.ts';
import { idString } from './fields.ts';

/** 202 body of every send: what RingCentral answered, ids as strings. */
export const sentMessageResponse = z
  .strictObject({
    id: idString.check(z.meta({ description: 'Message id (a decimal string; ids exceed 2^53).' })),
    type: z.enum(['SMS', 'Pager', 'Fax']),
    messageStatus: z
      .enum(['Queued', 'Sent', 'Delivered', 'DeliveryFailed', 'SendingFailed', 'Received'])
      .check(z.meta({ description: "RingCentral's status when it accepted the message." })),
    uri: z
      .url()
      .check(z.meta({ description: 'The message record in the RingCentral message store.' })),
  })
  .check(
    z.meta({
      title: 'SentMessage',
      description: 'The message RingCentral accepted.',
      examples: [
        {
          id: '3245687190234',
          type: 'SMS',
          messageStatus: 'Queued',
          uri: 'https://platform.ringcentral.com/restapi/v1.0/account/400131880008/extension/101001/message-store/3245687190234',
        },
      ],
    }),
  );

/** A validated 202 body. */
export type SentMessageResponse = z.infer<typeof sentMessageResponse>;

/** RFC 9457 problem details, as every error of this API is answered. */
export const problemResponse = z
  .object({
    type: z.string().check(z.meta({ description: 'A URI reference naming the problem type.' })),
    title: z.string(),
    status: z.int().check(z.gte(400), z.lte(599)),
    detail: z.optional(z.string()),
    instance: z.optional(z.string()),
    requestId: z
      .optional(z.string())
      .check(z.meta({ description: 'The request id, for support.' })),
    errors: z
      .optional(
        z.array(
          z.object({
            field: z.string().check(
              z.meta({
                description:
                  'Where: a path into the body such as `to[0].phoneNumber` (`(body)` for the body as a whole), or a header name.',
              }),
            ),
            message: z
              .string()
              .check(z.meta({ description: 'What to change, e.g. `is required`.' })),
          }),
        ),
      )
      .check(z.meta({ description: "Field-level detail of the caller's faults." })),
  })
  .check(
    z.meta({
      title: 'Problem',
      description: 'RFC 9457 problem details (application/problem+json). Never a stack trace.',
    }),
  );

/** A problem body. */
export type ProblemResponse = z.infer<typeof problemResponse>;
