/** The body of `POST /pager`: an internal (company pager) message to extensions of the account. */
import * as z from '../validation/zod.ts';
import { correlationId, idString, recipients, utf16Text } from './fields.ts';

/** RingCentral's pager text limit in UTF-16 code units. */
export const MAX_PAGER_TEXT_UNITS = 1024;
/** Recipients of one pager message (this API's limit). */
export const MAX_PAGER_RECIPIENTS = 50;

const EXTENSION_SHAPES = 'must be {"extensionId": "<id>"} or {"extensionNumber": "<number>"}';

/** A phone number where an extension belongs: as a string, or as `{ phoneNumber }`. */
function isPhoneNumber(input: unknown): boolean {
  return (
    typeof input === 'string' ||
    (typeof input === 'object' && input !== null && 'phoneNumber' in input)
  );
}

/**
 * An extension of the account, by id or by its short number. A phone number is refused with what
 * to send instead: pager messages reach extensions, not numbers.
 */
export const pagerRecipient = z
  .union(
    [
      z.strictObject({ extensionId: idString }),
      z.strictObject({
        extensionNumber: z
          .string()
          .check(z.regex(/^\d{1,10}$/, { error: 'must be an extension number of 1 to 10 digits' })),
      }),
    ],
    {
      error: (issue) => {
        if (issue.code !== 'invalid_union') return undefined;
        return isPhoneNumber(issue.input)
          ? `is a phone number; a pager message goes to an extension of the account: use {"extensionId": "<id>"} or {"extensionNumber": "<number>"}`
          : EXTENSION_SHAPES;
      },
    },
  )
  .check(
    z.meta({
      description: 'An extension of the account: `{ extensionId }` or `{ extensionNumber }`.',
    }),
  );

/** `POST /pager` request body. */
export const sendPagerRequest = z
  .strictObject({
    to: recipients(pagerRecipient, MAX_PAGER_RECIPIENTS, 'Receiving extensions.', [
      { extensionNumber: '102' },
    ]),
    text: utf16Text(MAX_PAGER_TEXT_UNITS, 'Message text.'),
    replyOn: z
      .optional(idString)
      .check(
        z.meta({ description: 'Id of the pager message this one answers (a decimal string).' }),
      ),
    correlationId: z.optional(correlationId),
  })
  .check(
    z.meta({
      title: 'SendPagerRequest',
      description:
        'An internal pager message, sent by the authorised extension, once per Idempotency-Key.',
      examples: [{ to: [{ extensionNumber: '102' }], text: 'Build 42 is deployed.' }],
    }),
  );

/** A validated `POST /pager` body. */
export type SendPagerRequest = z.infer<typeof sendPagerRequest>;
