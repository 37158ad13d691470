/**
 * Reusable zod pieces of the project's HTTP API. Limits follow RingCentral's documented ones
 * (../shared/ringcentral/FACTS.md) so that a request this API accepts is never refused upstream
 * for its shape.
 */
import { E164_PATTERN } from '../ringcentral/validation.ts';
import * as z from '../validation/zod.ts';

/** A phone number in E.164 form as RingCentral accepts it, e.g. `+16505550100`. */
export const phoneNumber = z
  .string()
  .check(
    z.regex(E164_PATTERN, { error: 'must be an E.164 phone number such as +16505550100' }),
    z.meta({ description: 'E.164 phone number: "+", country code and number, 7-15 digits.' }),
  );

/** A decimal id string: ids never travel as JSON numbers (they exceed 2^53). */
export const idString = z
  .string()
  .check(
    z.regex(/^\d{1,20}$/, { error: 'must be a decimal id string' }),
    z.meta({ description: 'A RingCentral id as a decimal string (ids exceed 2^53).' }),
  );

/**
 * Non-empty text of at most `max` UTF-16 code units, RingCentral's measure (an emoji outside the
 * BMP counts twice). zod's `max` and JSON Schema's `maxLength` count code points, so the check
 * is a refinement on `length`; `maxLength` in the document is the looser bound it implies.
 */
export function utf16Text(max: number, description: string) {
  return z.string().check(
    z.minLength(1, { error: 'must not be empty' }),
    z.refine((text: string) => text.length <= max, {
      error: `must be at most ${max} UTF-16 code units`,
    }),
    z.meta({ description: `${description} At most ${max} UTF-16 code units.`, maxLength: max }),
  );
}

/**
 * A list of 1 to `max` items. A value that is no list (one number given as a string) is told it
 * must be a list, with `example` (a list of one recipient) to copy.
 */
export function recipients<T extends z.$ZodType>(
  item: T,
  max: number,
  description: string,
  example: unknown[],
) {
  const notAList = `must be a list, e.g. ${JSON.stringify(example)}`;
  return z
    .array(item, { error: (issue) => (issue.input === undefined ? undefined : notAList) })
    .check(
      z.minLength(1, { error: 'needs at least one recipient' }),
      z.maxLength(max, { error: `allows at most ${max} recipients` }),
      z.meta({ description: `${description} 1 to ${max} recipients.` }),
    );
}

/** The longest correlation id a caller may attach to a send. */
export const MAX_CORRELATION_ID_LENGTH = 128;

/**
 * The caller's own reference for a send, echoed in every `Message Status Changed` event of the
 * message: printable ASCII, so it can be logged and matched without escaping. Never a number:
 * bodies are typed strictly.
 */
export const correlationId = z.string().check(
  z.regex(/^[\x21-\x7e]{1,128}$/, {
    error: `must be 1 to ${MAX_CORRELATION_ID_LENGTH} printable ASCII characters without spaces`,
  }),
  z.meta({
    description:
      'Your own reference for this send (1 to 128 printable ASCII characters, no spaces), echoed as `correlationId` in every `Message Status Changed` event of the message.',
    maxLength: MAX_CORRELATION_ID_LENGTH,
    examples: ['order-4711'],
  }),
);
