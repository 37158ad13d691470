/**
 * The body of `POST /fax`: recipients, options and documents, each either inline (base64, within
 * the request limit of a synchronous Lambda invocation) or a reference to an S3 object the
 * function reads and streams into the upload.
 */

import * as z from '../validation/zod.ts';
import { baseName, FAX_DOCUMENT_TYPES, FAX_MIME_TYPES, faxDocumentType } from './document-types.ts';
import { correlationId, phoneNumber, recipients, utf16Text } from './fields.ts';

/** RingCentral's limit on the documents of one fax request, in bytes (MSG-337/338 beyond). */
export const MAX_FAX_TOTAL_BYTES = 50 * 1024 * 1024;
/**
 * The largest `POST /fax` body, in bytes as sent. A synchronous Lambda invocation takes at most
 * 6 MB (6,291,456 bytes) of request payload, and API Gateway's event wraps the body in headers and
 * request context; a body Lambda cannot take is answered by API Gateway with a bare 500, so the
 * function refuses anything near that (413, naming the S3 alternative) while it still can.
 */
export const MAX_FAX_REQUEST_BYTES = 6_000_000;
/** Inline documents' bytes, decoded, that fit in {@link MAX_FAX_REQUEST_BYTES} as base64. */
export const MAX_INLINE_DOCUMENT_BYTES = 4_400_000;
/** The base64 length of {@link MAX_INLINE_DOCUMENT_BYTES}: one inline document's limit. */
export const MAX_INLINE_CONTENT_CHARS = Math.ceil(MAX_INLINE_DOCUMENT_BYTES / 3) * 4;
/** What a caller does with a larger document: the detail of the 413 answer. */
export const FAX_TOO_LARGE_DETAIL =
  `Inline documents may hold ${MAX_INLINE_DOCUMENT_BYTES} bytes in all (a request body ${MAX_FAX_REQUEST_BYTES} bytes). ` +
  'Put a larger document in S3, in a fax document bucket under your own prefix (your role name, e.g. order-service/invoice.pdf), ' +
  'and send {"bucket": ..., "key": ...} in its place: documents from S3 may total 50 MB.';
/** Recipients of one fax (this API's limit). */
export const MAX_FAX_RECIPIENTS = 50;
/** Documents of one fax (this API's limit; RingCentral renders at most 200 pages). */
export const MAX_FAX_DOCUMENTS = 20;
/** RingCentral's cover page ids: 0 = none, 1-13 from the cover page dictionary. */
export const MAX_COVER_INDEX = 13;
/** RingCentral's cover page text limit in UTF-16 code units. */
export const MAX_COVER_PAGE_TEXT_UNITS = 1024;

/** Case-insensitive without regex flags, which JSON Schema patterns cannot carry. */
function anyCase(text: string): string {
  return [...text]
    .map((char) => (/[a-z]/.test(char) ? `[${char}${char.toUpperCase()}]` : char))
    .join('');
}

const DOCUMENT_NAME = new RegExp(
  `^[^/\\\\\\u0000-\\u001f\\u007f]*\\.(?:${[...FAX_DOCUMENT_TYPES.keys()].map(anyCase).join('|')})$`,
);

const fileName = z.string().check(
  z.maxLength(255, { error: 'must be at most 255 characters' }),
  z.regex(DOCUMENT_NAME, {
    error: `must be a plain file name ending in a supported type: ${[...FAX_DOCUMENT_TYPES.keys()].join(', ')}`,
  }),
  z.meta({
    description: `File name sent to RingCentral; its extension gives the document type (${[...FAX_DOCUMENT_TYPES.keys()].join(', ')}).`,
  }),
);

const contentType = z
  .enum(FAX_MIME_TYPES as [string, ...string[]], {
    error: 'must be one of the supported document types',
  })
  .check(
    z.meta({
      description: 'MIME type of the document; defaults to the type of the file extension.',
    }),
  );

/** A document carried in the request body. */
export const inlineFaxDocument = z
  .strictObject({
    fileName,
    contentType: z.optional(contentType),
    content: z.base64({ error: 'must be base64 (standard alphabet, padded)' }).check(
      z.minLength(4, { error: 'must not be empty' }),
      z.maxLength(MAX_INLINE_CONTENT_CHARS, {
        error: 'is too large for a request body; use an S3 reference',
      }),
      z.meta({ description: 'The document bytes, base64-encoded.' }),
    ),
  })
  .check(
    z.meta({ title: 'InlineFaxDocument', description: 'A document sent inline, base64-encoded.' }),
  );

/** A document read from S3 by the function (the bucket must be one it is allowed to read). */
export const s3FaxDocument = z
  .strictObject({
    bucket: z.string().check(
      z.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be an S3 bucket name' }),
      z.meta({
        description: 'A bucket listed in the function configuration (FAX_DOCUMENT_BUCKETS).',
      }),
    ),
    key: z.string().check(
      z.minLength(1, { error: 'must not be empty' }),
      z.maxLength(1024, { error: 'must be at most 1024 characters' }),
      z.meta({
        description:
          "Object key under the caller's own prefix: its role name and a slash (e.g. order-service/invoice.pdf); 403 otherwise.",
      }),
    ),
    fileName: z.optional(fileName),
    contentType: z.optional(contentType),
  })
  .check(
    z.superRefine((document, context) => {
      if (document.fileName === undefined && !faxDocumentType(baseName(document.key))) {
        context.addIssue({
          code: 'custom',
          path: ['fileName'],
          message:
            'is required when the key does not end in a supported type; it gives the document type',
        });
      }
    }),
    z.meta({
      title: 'S3FaxDocument',
      description:
        'A document read from S3 and streamed into the upload. Without `fileName`, the last key segment is the file name and must end in a supported type.',
    }),
  );

/** One fax document: inline or an S3 reference. */
export const faxDocument = z.union([inlineFaxDocument, s3FaxDocument]);

/** Decoded size of a base64 string (padding excluded). */
export function base64DecodedBytes(content: string): number {
  const padding = content.endsWith('==') ? 2 : content.endsWith('=') ? 1 : 0;
  return (content.length / 4) * 3 - padding;
}

/** `POST /fax` request body (without the configured bucket allow-list; see `sendFaxRequestFor`). */
export const sendFaxRequest = z
  .strictObject({
    to: recipients(phoneNumber, MAX_FAX_RECIPIENTS, 'Recipient fax numbers (E.164).', [
      '+16505551102',
    ]),
    documents: z.array(faxDocument).check(
      z.minLength(1, { error: 'needs at least one document' }),
      z.maxLength(MAX_FAX_DOCUMENTS, { error: `allows at most ${MAX_FAX_DOCUMENTS} documents` }),
      z.meta({
        description: `1 to ${MAX_FAX_DOCUMENTS} documents, ${MAX_FAX_TOTAL_BYTES / 1024 / 1024} MB in all (inline and S3 together).`,
      }),
    ),
    faxResolution: z
      .optional(z.enum(['High', 'Low'], { error: 'must be High or Low' }))
      .check(z.meta({ description: 'Rendering resolution; RingCentral defaults to Low.' })),
    sendTime: z
      .optional(
        z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone' }),
      )
      .check(z.meta({ description: 'When to send; now (or in the past) sends at once.' })),
    isoCode: z
      .optional(
        z.string().check(z.regex(/^[A-Z]{2}$/, { error: 'must be an ISO 3166 alpha-2 code' })),
      )
      .check(z.meta({ description: 'Country for numbers without a country code.' })),
    coverIndex: z
      .optional(
        z
          .int({ error: 'must be a whole number' })
          .check(
            z.gte(0, { error: 'must be from 0 to 13' }),
            z.lte(MAX_COVER_INDEX, { error: 'must be from 0 to 13' }),
          ),
      )
      .check(
        z.meta({
          description:
            'Cover page: 0 = none, 1-13 = a page of the cover page dictionary; the account default when absent.',
        }),
      ),
    coverPageText: z.optional(
      utf16Text(MAX_COVER_PAGE_TEXT_UNITS, 'Text printed on the cover page.'),
    ),
    correlationId: z.optional(correlationId),
  })
  .check(
    z.superRefine((request, context) => {
      const inlineBytes = request.documents.reduce(
        (total, document) =>
          'content' in document ? total + base64DecodedBytes(document.content) : total,
        0,
      );
      if (inlineBytes > MAX_INLINE_DOCUMENT_BYTES) {
        context.addIssue({
          code: 'custom',
          path: ['documents'],
          message: `inline documents total more than ${MAX_INLINE_DOCUMENT_BYTES} bytes; send larger ones as S3 references`,
        });
      }
    }),
    z.meta({
      title: 'SendFaxRequest',
      description:
        'A fax to send once per Idempotency-Key. The sender is the extension fax number.',
      examples: [
        {
          to: ['+16505550199'],
          faxResolution: 'High',
          coverIndex: 0,
          documents: [
            { fileName: 'note.txt', content: 'SGVsbG8sIGZheCE=' },
            { bucket: 'fax-documents', key: 'order-service/invoices/2026-001.pdf' },
          ],
        },
      ],
    }),
  );

/** A validated `POST /fax` body. */
export type SendFaxRequest = z.infer<typeof sendFaxRequest>;
/** One validated fax document. */
export type FaxDocument = z.infer<typeof faxDocument>;
/** A validated S3 document reference. */
export type S3FaxDocument = z.infer<typeof s3FaxDocument>;

/** The `POST /fax` body schema of a deployment: S3 references only to the allowed buckets. */
export function sendFaxRequestFor(allowedBuckets: readonly string[]) {
  const allowed = new Set(allowedBuckets);
  return sendFaxRequest.check(
    z.superRefine((request, context) => {
      request.documents.forEach((document, index) => {
        if ('bucket' in document && !allowed.has(document.bucket)) {
          context.addIssue({
            code: 'custom',
            path: ['documents', index, 'bucket'],
            message: 'is not a bucket this function may read',
          });
        }
      });
    }),
  );
}
