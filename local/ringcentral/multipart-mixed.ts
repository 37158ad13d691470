/**
 * A streaming `multipart/mixed` reader (busboy reads only `multipart/form-data`). Part bodies are
 * handed over chunk by chunk; only a delimiter's length of bytes is ever carried between chunks.
 */
import type { Readable } from 'node:stream';

/** Callbacks for each part. */
export interface MixedPartHandler {
  /** A part starts; header names are lower case. */
  part(headers: Record<string, string>): void;
  data(chunk: Buffer): void;
  end(): void;
}

/** Reads a multipart/mixed stream with the given boundary, calling `handler` per part. */
export async function readMultipartMixed(
  stream: Readable,
  boundary: string,
  handler: MixedPartHandler,
): Promise<void> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // A leading CRLF lets the first delimiter match like every other one.
  let carry: Buffer = Buffer.from('\r\n');
  let state: 'preamble' | 'headers' | 'body' | 'done' = 'preamble';
  const consume = () => {
    for (;;) {
      if (state === 'done') {
        carry = Buffer.alloc(0);
        return;
      }
      if (state === 'headers') {
        // A part without headers starts with the blank line at once.
        const end =
          carry.subarray(0, 2).toString('latin1') === '\r\n' ? -2 : carry.indexOf('\r\n\r\n');
        if (end === -1) return;
        const headers: Record<string, string> = {};
        for (const line of carry.subarray(0, Math.max(0, end)).toString('latin1').split('\r\n')) {
          const colon = line.indexOf(':');
          if (colon > 0)
            headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        handler.part(headers);
        carry = carry.subarray(end + 4);
        state = 'body';
        continue;
      }
      const found = carry.indexOf(delimiter);
      if (found < 0) {
        const keep = Math.min(carry.length, delimiter.length + 1);
        if (state === 'body' && carry.length > keep)
          handler.data(carry.subarray(0, carry.length - keep));
        carry = carry.subarray(carry.length - keep);
        return;
      }
      const after = found + delimiter.length;
      if (carry.length < after + 2) return;
      if (state === 'body') {
        if (found > 0) handler.data(carry.subarray(0, found));
        handler.end();
      }
      const tail = carry.subarray(after, after + 2).toString('latin1');
      if (tail === '--') {
        state = 'done';
        continue;
      }
      // Skip to the end of the delimiter line (transport padding allowed before CRLF).
      const lineEnd = carry.indexOf('\r\n', after);
      if (lineEnd < 0) return;
      carry = carry.subarray(lineEnd + 2);
      state = 'headers';
    }
  };
  for await (const chunk of stream) {
    carry = carry.length === 0 ? (chunk as Buffer) : Buffer.concat([carry, chunk as Buffer]);
    consume();
  }
  consume();
}
