import { InvalidInputError } from './errors.ts';
import type { NonEmptyArray } from './types.ts';

/**
 * E.164 as RingCentral accepts it: `+`, a non-zero digit, 7 to 15 digits in all. E.164 itself
 * allows shorter numbers, but RingCentral refuses them, so refusing them before the request saves
 * a round trip and a slot of the rate limit. The one definition: the HTTP API's schemas, the
 * functions' configuration and the CDK app's configuration use it too.
 */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;
const ID = /^\d{1,20}$/;

/** Fails unless `value` is an E.164 number as RingCentral accepts it ({@link E164_PATTERN}). */
export function assertE164(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || !E164_PATTERN.test(value)) {
    throw new InvalidInputError(
      `${field} must be an E.164 phone number such as +16505550100, got ${JSON.stringify(value)}`,
    );
  }
}

/** Fails unless `text` is non-empty and at most `max` UTF-16 code units (RingCentral's measure). */
export function assertTextLength(
  text: unknown,
  max: number,
  field: string,
): asserts text is string {
  if (typeof text !== 'string' || text.length === 0) {
    throw new InvalidInputError(`${field} must be a non-empty string`);
  }
  if (text.length > max) {
    throw new InvalidInputError(
      `${field} is ${text.length} UTF-16 units long; the limit is ${max}`,
    );
  }
}

/** Fails unless `id` is a decimal id string (ids never travel as numbers). */
export function assertId(id: unknown, field: string): asserts id is string {
  if (typeof id !== 'string' || !ID.test(id)) {
    throw new InvalidInputError(`${field} must be a decimal id string, got ${JSON.stringify(id)}`);
  }
}

/**
 * Narrows an array to a {@link NonEmptyArray}, failing with a clear error when it is empty. For
 * callers whose own validation already rules out an empty list (a request schema's minimum).
 */
export function nonEmpty<T>(items: readonly T[], field: string): NonEmptyArray<T> {
  if (items.length === 0) throw new InvalidInputError(`${field} must not be empty`);
  return items as NonEmptyArray<T>;
}

/** Fails unless `ids` is a non-empty array of id strings; returns them de-duplicated. */
export function assertIds(ids: unknown, field: string): NonEmptyArray<string> {
  if (!Array.isArray(ids) || ids.length === 0) {
    throw new InvalidInputError(
      `${field} must be a non-empty array of message ids; without ids RingCentral acts on the whole mailbox`,
    );
  }
  ids.forEach((id, index) => {
    assertId(id, `${field}[${index}]`);
  });
  return nonEmpty([...new Set(ids as string[])], field);
}

/** Fails unless `value` is an ISO 8601 date-time, returning it normalised. */
export function assertDateTime(value: unknown, field: string): string {
  const date =
    value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new InvalidInputError(
      `${field} must be an ISO 8601 date-time, got ${JSON.stringify(value)}`,
    );
  }
  return date.toISOString();
}

/** Fails unless `value` is one of `allowed`. */
export function assertOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  field: string,
): asserts value is T {
  if (!allowed.includes(value as T)) {
    throw new InvalidInputError(
      `${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
}

/** Fails unless `value` is a whole number within [min, max]. */
export function assertInteger(
  value: unknown,
  min: number,
  max: number,
  field: string,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(
      `${field} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
}
