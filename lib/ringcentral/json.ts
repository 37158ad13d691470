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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const DOT = 0x2e;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The index after the string literal opening at `start` (the text's end if it never closes). */
function endOfString(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/**
 * The text with quotes around every integer token a double cannot hold, or `undefined` when a
 * number has a fraction or an exponent (only the source-text parse treats those exactly). One pass
 * that skips string literals, so hostile input costs no more than a long one.
 */
function quoteUnsafeIntegers(text: string): string | undefined {
  let result = '';
  let copied = 0;
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      index = endOfString(text, index);
    } else if (code === MINUS || isDigit(code)) {
      const start = index;
      index += 1;
      while (index < text.length && isDigit(text.charCodeAt(index))) index += 1;
      const next = text.charCodeAt(index);
      if (next === DOT || next === LOWER_E || next === UPPER_E) return undefined;
      if (index - start >= 16) {
        const token = text.slice(start, index);
        if (!Number.isSafeInteger(Number(token))) {
          result += `${text.slice(copied, start)}"${token}"`;
          copied = index;
        }
      }
    } else {
      index += 1;
    }
  }
  return copied === 0 ? text : result + text.slice(copied);
}

/** The id rule of the reviver, for a value already known to come from a short integer. */
function idString(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

/** Applies the reviver's rule to a tree whose every number is a safe integer, in place. */
function markIds(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const item = value[index];
      value[index] = typeof item === 'number' ? idString(item) : markIds(item);
    }
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (typeof item === 'number') {
        if (isIdKey(key)) record[key] = idString(item);
      } else {
        markIds(item);
      }
    }
  }
  return value;
}

/**
 * The exact parse: the reviver sees each number's source text. Exported for the test that holds
 * {@link parseJson}'s fast path to it.
 *
 * @internal
 */
export function parseJsonBySource(text: string): unknown {
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}

/**
 * Parses JSON text, turning every id and every unsafe integer into its exact decimal string.
 *
 * When every number is an integer (RingCentral's responses), the text is parsed natively, after
 * quoting the integers a double cannot hold, and the ids are marked afterwards: several times
 * faster than a source-text reviver. Text with a fraction or an exponent takes the exact path.
 */
export function parseJson(text: string): unknown {
  const quoted = quoteUnsafeIntegers(text);
  return quoted === undefined ? parseJsonBySource(text) : markIds(JSON.parse(quoted));
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
