/**
 * Big-integer safe JSON. The spec types message, attachment and conversation ids as int64 JSON
 * numbers, and real ids exceed 2^53, so they are kept as decimal strings inside the emulator and
 * written as bare numbers with `JSON.rawJSON`; parsing keeps unsafe integers as their source text.
 */
// Kept apart from lib/ringcentral/json.ts on purpose: the emulator must not reuse the client's.

interface RawJsonApi {
  rawJSON(text: string): unknown;
}

/** A decimal id string to be written as a bare JSON number. */
export function int64(id: string): unknown {
  if (!/^-?\d+$/.test(id)) {
    // A non-numeric id would make invalid JSON; it is written as a string instead.
    return id;
  }
  return (JSON as unknown as RawJsonApi).rawJSON(id);
}

/** Serialises like `JSON.stringify`, keeping values made with {@link int64} as raw numbers. */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value);
}

/** Parses JSON, keeping integers beyond 2^53 as their exact decimal source text. */
export function parseJson(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && !Number.isSafeInteger(value) && context?.source
      ? context.source
      : value,
  );
}
