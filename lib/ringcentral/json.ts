/**
 * JSON that keeps ids exact. RingCentral types ids as int64 numbers and conversation ids exceed
 * 2^53, so `JSON.parse` would silently round them. Node 24's reviver receives the source text of
 * each primitive, which lets every id (and any integer too big for a double) stay a string.
 */
// Kept apart from local/ringcentral/json.ts on purpose: the emulator must not reuse this parsing.

interface ReviverContext {
  source?: string;
}

type ContextReviver = (
  this: unknown,
  key: string,
  value: unknown,
  context?: ReviverContext,
) => unknown;

const rawJson = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;

/** Keys whose numeric values are identifiers. */
function isIdKey(key: string): boolean {
  return key === 'id' || key === 'replyOn' || key.endsWith('Id');
}

const reviver: ContextReviver = function (this: unknown, key, value, context) {
  if (typeof value !== 'number' || context?.source === undefined) return value;
  const source = context.source;
  const integral = /^-?\d+$/.test(source);
  if (!integral) return value;
  // Arrays of integers in this API are id lists (newMessageIds); ids never become numbers.
  if (isIdKey(key) || !Number.isSafeInteger(value) || Array.isArray(this)) return source;
  return value;
};

/** Parses JSON text, turning every id and every unsafe integer into its exact decimal string. */
export function parseJson(text: string): unknown {
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}

/** Marks a decimal id string so that `stringifyJson` writes it as a JSON number, digit for digit. */
export class JsonInteger {
  readonly digits: string;
  constructor(digits: string) {
    if (!/^-?\d+$/.test(digits)) throw new TypeError(`Not an integer: ${digits}`);
    this.digits = digits;
  }
  /** Lets plain JSON.stringify produce the digits too (as a string, the lossless fallback). */
  toJSON(): string {
    return this.digits;
  }
}

/** Serialises a request body; `JsonInteger` values become exact JSON numbers (spec int64 fields). */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, current) {
    const original = this[key];
    if (original instanceof JsonInteger && rawJson) return rawJson(original.digits);
    return current;
  });
}
