/**
 * Turns the validated documents of a `POST /fax` body into the client's fax attachments: inline
 * documents decoded, S3 documents sized by HeadObject first (so the 50 MB limit is enforced before
 * anything is sent) and then streamed from S3 only when the upload reaches them, never buffered.
 */
import { Readable } from 'node:stream';
import type { FaxAttachment } from '../ringcentral/index.ts';
import { HttpProblem, ProblemType } from '../runtime/problem.ts';
import { fieldPath } from '../validation/issues.ts';
import { baseName, faxDocumentType } from './document-types.ts';
import type { FaxDocument, S3FaxDocument } from './fax.ts';
import { MAX_FAX_TOTAL_BYTES } from './fax.ts';

/** Where an S3 object lives. */
export interface ObjectRef {
  bucket: string;
  key: string;
}

/** The reads the fax function needs from S3 (lib/aws/s3-objects.ts implements it). */
export interface DocumentObjectReader {
  head(ref: ObjectRef): Promise<{ size: number; contentType?: string }>;
  open(ref: ObjectRef): Promise<{ stream: Readable; size: number; contentType?: string }>;
}

/** An S3 object changed size between HeadObject and GetObject. */
export class DocumentChangedError extends Error {
  override name = 'DocumentChangedError';
}

function validationProblem(field: string, message: string, status = 422): HttpProblem {
  return new HttpProblem({
    status,
    title: status === 413 ? 'Content too large' : 'Invalid fax document',
    type: ProblemType.validation,
    errors: [{ field, message }],
  });
}

/**
 * The key prefix of a caller's fax documents: its role's name (the last segment of its
 * principal ARN) and a slash, e.g. `order-service/` for
 * `arn:aws:sts::123456789012:assumed-role/order-service`.
 */
export function callerDocumentPrefix(caller: string): string {
  return `${caller.slice(caller.lastIndexOf('/') + 1)}/`;
}

/**
 * Refuses (403) S3 documents outside the caller's own prefix. send-fax reads them with its own
 * role, which may read the whole bucket: without this, any caller could have another's documents
 * faxed to itself (a confused deputy). A request without an IAM caller may name no S3 document.
 */
export function requireOwnDocuments(
  documents: readonly FaxDocument[],
  caller: string | undefined,
): void {
  const prefix = caller === undefined ? undefined : callerDocumentPrefix(caller);
  const errors = documents.flatMap((document, index) =>
    'key' in document && (prefix === undefined || !document.key.startsWith(prefix))
      ? [
          {
            field: `documents.${index}.key`,
            message: prefix
              ? `must start with ${prefix}: a caller may send only documents under its own prefix`
              : 'needs an IAM caller: S3 documents are read only under the caller prefix',
          },
        ]
      : [],
  );
  if (errors.length === 0) return;
  throw new HttpProblem({
    status: 403,
    title: 'Document outside your prefix',
    type: ProblemType.validation,
    errors,
  });
}

/** S3 SDK errors that mean "this object is not there or not ours to read": the caller's fault. */
function isMissingObject(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return (
    name === 'NotFound' ||
    name === 'NoSuchKey' ||
    name === 'NoSuchBucket' ||
    name === 'AccessDenied' ||
    name === 'Forbidden' ||
    status === 404 ||
    status === 403
  );
}

/**
 * A stream that opens the S3 object on its first read and fails if the object yields more bytes
 * than HeadObject reported (the 50 MB check was made on that size).
 */
function lazyObjectStream(reader: DocumentObjectReader, ref: ObjectRef, size: number): Readable {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const { stream } = await reader.open(ref);
    let seen = 0;
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      seen += chunk.byteLength;
      if (seen > size) {
        stream.destroy();
        throw new DocumentChangedError('An S3 document grew after it was checked');
      }
      yield chunk;
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

async function s3Attachment(
  reader: DocumentObjectReader,
  document: S3FaxDocument,
  index: number,
): Promise<FaxAttachment> {
  const ref = { bucket: document.bucket, key: document.key };
  let head: { size: number; contentType?: string };
  try {
    head = await reader.head(ref);
  } catch (error) {
    if (isMissingObject(error)) {
      throw validationProblem(
        fieldPath(['documents', index, 'key']),
        'does not exist or cannot be read',
      );
    }
    throw error;
  }
  if (head.size === 0)
    throw validationProblem(fieldPath(['documents', index, 'key']), 'is an empty object');
  const fileName = document.fileName ?? baseName(document.key);
  return {
    fileName,
    // The schema guarantees the name's type is supported when no content type is given.
    contentType: document.contentType ?? faxDocumentType(fileName) ?? 'application/octet-stream',
    content: lazyObjectStream(reader, ref, head.size),
    size: head.size,
  };
}

/**
 * The fax attachments of validated documents. Throws an HttpProblem (422 for a missing or empty
 * object, 413 beyond 50 MB in all) before any byte is sent.
 */
export async function prepareFaxAttachments(
  documents: readonly FaxDocument[],
  reader: DocumentObjectReader,
): Promise<FaxAttachment[]> {
  const attachments = await Promise.all(
    documents.map(async (document, index): Promise<FaxAttachment> => {
      if ('content' in document) {
        const bytes = Buffer.from(document.content, 'base64');
        return {
          fileName: document.fileName,
          contentType:
            document.contentType ??
            faxDocumentType(document.fileName) ??
            'application/octet-stream',
          content: bytes,
          size: bytes.byteLength,
        };
      }
      return s3Attachment(reader, document, index);
    }),
  );
  const total = attachments.reduce((sum, attachment) => sum + (attachment.size ?? 0), 0);
  if (total > MAX_FAX_TOTAL_BYTES) {
    // Streams were not opened yet (they open on first read), so nothing leaks here.
    throw validationProblem(
      'documents',
      `total ${total} bytes; the limit is ${MAX_FAX_TOTAL_BYTES} bytes`,
      413,
    );
  }
  return attachments;
}
