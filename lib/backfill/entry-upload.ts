/**
 * One zip entry streamed into its attachment object, checked on the way: never more bytes than
 * the record declares, and a failing body (CRC-32, truncation) aborts the upload at once.
 */
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import type { MessageLocation } from '../archive/layout.ts';
import type { ArchivedAttachment } from '../archive/manifest.ts';
import type { MessageWriter } from '../archive/message-writer.ts';
import type { MessageAttachment } from '../ringcentral/types.ts';

/** A stored attachment read back with another size or sha256 than was written. */
export class BackfillVerificationError extends Error {
  override readonly name = 'BackfillVerificationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Counts bytes flowing through, for progress. */
export class ByteCounter extends Transform {
  constructor(private readonly count: (bytes: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.count(chunk.length);
    callback(null, chunk);
  }
}

/**
 * Between a zip entry and its upload: fails as soon as more bytes flow than the record declares,
 * and holds the last chunk back until the entry has ended, so that an entry failing its CRC-32
 * (checked at its end) fails the upload before the store has all the bytes it expects and could
 * keep the object.
 */
class EntryBodyGuard extends Transform {
  #bytes = 0;
  #held: Buffer | undefined;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.#bytes += chunk.length;
    if (this.#bytes > this.limit) {
      callback(new BackfillVerificationError(`More than the declared ${this.limit} bytes`));
      return;
    }
    const previous = this.#held;
    this.#held = chunk;
    callback(null, previous);
  }
  override _flush(callback: TransformCallback) {
    callback(null, this.#held);
  }
}

/** Streams one zip entry into its object; the entry is read to its end (or the upload fails). */
export async function uploadEntry(
  writer: MessageWriter,
  location: MessageLocation,
  attachment: MessageAttachment,
  stream: Readable,
  signal: AbortSignal | undefined,
): Promise<ArchivedAttachment> {
  // A body that fails (CRC, truncation) aborts its upload at once instead of leaving the
  // request to time out, and the body's error is the one reported.
  const bodyFailed = new AbortController();
  let bodyError: unknown;
  const onBodyError = (error: unknown) => {
    bodyError = error;
    bodyFailed.abort(error);
  };
  const body = stream.pipe(new EntryBodyGuard(attachment.size ?? Number.POSITIVE_INFINITY));
  stream.once('error', (error) => body.destroy(error));
  body.once('error', onBodyError);
  try {
    return await writer.storeAttachment(location, attachment, body, {
      ...(attachment.size !== undefined ? { expectedSize: attachment.size } : {}),
      signal: signal ? AbortSignal.any([signal, bodyFailed.signal]) : bodyFailed.signal,
    });
  } catch (error) {
    throw bodyError ?? error;
  } finally {
    body.off('error', onBodyError);
  }
}
