import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { InvalidInputError } from './errors.ts';

/** Content of a file part: bytes, text, or a stream read once while sending. */
export type PartContent = Buffer | Uint8Array | string | Readable | ReadableStream<Uint8Array>;

/** One part of a multipart/form-data body. */
export type FormPart =
  | { name: string; value: string }
  | { name: string; fileName: string; contentType: string; content: PartContent; size?: number };

/** A streamed multipart body: `create()` yields a fresh stream, never the files concatenated. */
export interface MultipartBody {
  contentType: string;
  create(): ReadableStream<Uint8Array>;
  /** False when any part is a one-shot stream. */
  replayable: boolean;
  /** Total bytes, when every part's size is known. */
  contentLength: number | undefined;
}

const CRLF = '\r\n';

function headerValue(value: string): string {
  // Quotes and line breaks would break the part header; percent-encode them (RFC 7578 practice).
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function isStream(content: PartContent): content is Readable | ReadableStream<Uint8Array> {
  return typeof content !== 'string' && !(content instanceof Uint8Array);
}

function byteLength(content: PartContent, declared: number | undefined): number | undefined {
  if (typeof content === 'string') return Buffer.byteLength(content);
  if (content instanceof Uint8Array) return content.byteLength;
  return declared;
}

/** Builds a multipart/form-data body whose file contents are streamed, part by part. */
export function buildFormData(
  parts: readonly FormPart[],
  boundary = `----rc${randomBytes(12).toString('hex')}`,
): MultipartBody {
  const heads = parts.map((part) => {
    const disposition =
      'fileName' in part
        ? `form-data; name="${headerValue(part.name)}"; filename="${headerValue(part.fileName)}"`
        : `form-data; name="${headerValue(part.name)}"`;
    const type = 'fileName' in part ? `Content-Type: ${part.contentType}${CRLF}` : '';
    return Buffer.from(
      `--${boundary}${CRLF}Content-Disposition: ${disposition}${CRLF}${type}${CRLF}`,
    );
  });
  const tail = Buffer.from(`--${boundary}--${CRLF}`);
  let contentLength: number | undefined = tail.length;
  parts.forEach((part, index) => {
    const size =
      'fileName' in part ? byteLength(part.content, part.size) : Buffer.byteLength(part.value);
    contentLength =
      contentLength === undefined || size === undefined
        ? undefined
        : contentLength + heads[index]!.length + size + 2;
  });
  const replayable = parts.every((part) => !('fileName' in part) || !isStream(part.content));
  let created = false;

  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    replayable,
    contentLength,
    create() {
      if (created && !replayable)
        throw new InvalidInputError('A multipart body built from streams can be sent only once');
      created = true;
      async function* chunks(): AsyncGenerator<Uint8Array> {
        for (let index = 0; index < parts.length; index += 1) {
          const part = parts[index]!;
          yield heads[index]!;
          if (!('fileName' in part)) {
            yield Buffer.from(part.value);
          } else if (typeof part.content === 'string') {
            yield Buffer.from(part.content);
          } else if (part.content instanceof Uint8Array) {
            yield part.content;
          } else {
            for await (const chunk of part.content as AsyncIterable<Uint8Array | string>) {
              yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
            }
          }
          yield Buffer.from(CRLF);
        }
        yield tail;
      }
      return ReadableStream.from(chunks()) as ReadableStream<Uint8Array>;
    },
  };
}
