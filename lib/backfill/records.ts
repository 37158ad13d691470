/**
 * Reads `message-store.json` (archive 0 of an export) record by record, so a mailbox of any size
 * is never held as one string: the text is split at the top-level objects of the records array
 * and each record is parsed on its own with the id-keeping JSON parser.
 *
 * RingCentral's export writes a JSON array of message records; an object whose first array holds
 * the records (`{"records": [...]}`) is read the same way.
 */
import { StringDecoder } from 'node:string_decoder';
import { parseJson } from '../ringcentral/json.ts';
import type { MessageRecord } from '../ringcentral/types.ts';

/** `message-store.json` is not a JSON array of records. */
export class MessageStoreJsonError extends Error {
  override readonly name = 'MessageStoreJsonError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Yields the records of a `message-store.json` stream, ids as exact strings. */
export async function* readMessageStoreRecords(
  source: AsyncIterable<Buffer | string>,
): AsyncGenerator<MessageRecord, void, undefined> {
  const decoder = new StringDecoder('utf8');
  let depth = 0;
  let inString = false;
  let escaped = false;
  /** The depth of the records array once its `[` is seen. */
  let arrayDepth: number | undefined;
  let arrayClosed = false;
  /** Text of the record being read, in pieces. */
  let pieces: string[] = [];
  let recordStart = -1;

  const parse = (text: string): MessageRecord => {
    let value: unknown;
    try {
      value = parseJson(text);
    } catch (error) {
      throw new MessageStoreJsonError('A record of message-store.json is not JSON', {
        cause: error,
      });
    }
    if (
      value === null ||
      typeof value !== 'object' ||
      typeof (value as { id?: unknown }).id !== 'string'
    ) {
      throw new MessageStoreJsonError('A record of message-store.json has no id');
    }
    return value as MessageRecord;
  };

  const scan = function* (text: string): Generator<MessageRecord> {
    for (let index = 0; index < text.length; index += 1) {
      const char = text.charCodeAt(index);
      if (inString) {
        if (escaped) escaped = false;
        else if (char === 0x5c) escaped = true;
        else if (char === 0x22) inString = false;
        continue;
      }
      if (char === 0x22) {
        inString = true;
      } else if (char === 0x7b || char === 0x5b) {
        // `{` or `[`
        if (char === 0x5b && arrayDepth === undefined && depth <= 1) arrayDepth = depth + 1;
        else if (
          char === 0x7b &&
          arrayDepth !== undefined &&
          depth === arrayDepth &&
          !arrayClosed
        ) {
          recordStart = index;
          pieces = [];
        }
        depth += 1;
      } else if (char === 0x7d || char === 0x5d) {
        // `}` or `]`
        depth -= 1;
        if (depth < 0) throw new MessageStoreJsonError('message-store.json is not balanced');
        if (char === 0x5d && arrayDepth !== undefined && depth === arrayDepth - 1) {
          arrayClosed = true;
        } else if (
          char === 0x7d &&
          arrayDepth !== undefined &&
          depth === arrayDepth &&
          !arrayClosed
        ) {
          pieces.push(text.slice(Math.max(recordStart, 0), index + 1));
          recordStart = -1;
          const record = parse(pieces.join(''));
          pieces = [];
          yield record;
        }
      }
    }
    if (recordStart !== -1 || pieces.length > 0) {
      // A record continues in the next chunk.
      pieces.push(text.slice(Math.max(recordStart, 0)));
      recordStart = 0;
    }
  };

  for await (const chunk of source) {
    yield* scan(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  }
  yield* scan(decoder.end());
  if (arrayDepth === undefined || !arrayClosed || depth !== 0) {
    throw new MessageStoreJsonError('message-store.json does not hold a complete records array');
  }
}
