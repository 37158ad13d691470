/**
 * S3's error answers, as the stand-in sends them: the code, HTTP status and message S3 documents
 * (or, where the documentation names only the code, the message S3 is observed to send).
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** An S3 error the stand-in answers with. */
export class S3Error extends Error {
  override readonly name = 'S3Error';
  readonly code: string;
  readonly status: number;
  /** Headers S3 sends with this error (e.g. `x-amz-delete-marker`). */
  readonly headers: Record<string, string>;
  constructor(code: string, status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.headers = headers;
  }
}

/** The errors of Object Lock and versioning, by concept. */
export const s3Errors = {
  /** A retained or held version may not be deleted, nor its retention shortened. */
  objectLocked: () =>
    new S3Error('AccessDenied', 403, 'Access Denied because object protected by object lock.'),
  accessDenied: () => new S3Error('AccessDenied', 403, 'Access Denied'),
  /** Lock headers or lock calls on a bucket created without Object Lock. */
  bucketMissingLock: () =>
    new S3Error('InvalidRequest', 400, 'Bucket is missing ObjectLockConfiguration'),
  lockHeadersIncomplete: () =>
    new S3Error(
      'InvalidArgument',
      400,
      'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied',
    ),
  retainUntilInPast: () =>
    new S3Error('InvalidArgument', 400, 'The retain until date must be in the future!'),
  unknownMode: () => new S3Error('InvalidArgument', 400, 'Unknown wormMode directive.'),
  invalidLegalHold: () =>
    new S3Error('InvalidArgument', 400, "Legal Hold must be either of 'ON' or 'OFF'"),
  invalidDate: () =>
    new S3Error('InvalidArgument', 400, 'The retain until date must be in ISO 8601 format'),
  malformedXml: () =>
    new S3Error(
      'MalformedXML',
      400,
      'The XML you provided was not well-formed or did not validate against our published schema',
    ),
  noObjectLockConfiguration: () =>
    new S3Error(
      'NoSuchObjectLockConfiguration',
      404,
      'The specified object does not have a ObjectLock configuration',
    ),
  bucketLockNotFound: () =>
    new S3Error(
      'ObjectLockConfigurationNotFoundError',
      404,
      'Object Lock configuration does not exist for this bucket',
    ),
  versioningRequired: () =>
    new S3Error(
      'InvalidBucketState',
      409,
      "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
    ),
  noSuchKey: (headers?: Record<string, string>) =>
    new S3Error('NoSuchKey', 404, 'The specified key does not exist.', headers),
  noSuchVersion: () => new S3Error('NoSuchVersion', 404, 'The specified version does not exist.'),
  noSuchBucket: () => new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist'),
  /** GET or HEAD of a delete marker by its version id. */
  methodNotAllowed: (headers?: Record<string, string>) =>
    new S3Error(
      'MethodNotAllowed',
      405,
      'The specified method is not allowed against this resource.',
      headers,
    ),
  invalidContinuationToken: () =>
    new S3Error('InvalidArgument', 400, 'The continuation token provided is incorrect'),
  notImplemented: () =>
    new S3Error(
      'NotImplemented',
      501,
      'A header you provided implies functionality that is not implemented',
    ),
};

/** Text fit for an XML element. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Undoes the escaping s3rver applies to listed keys (`he.escape`). */
export function unescapeXml(text: string): string {
  return text.replace(/&(#x?[0-9a-f]+|amp|lt|gt|quot|apos);/gi, (entity, name: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    const lower = name.toLowerCase();
    if (named[lower]) return named[lower];
    const code = lower.startsWith('#x')
      ? Number.parseInt(lower.slice(2), 16)
      : Number(lower.slice(1));
    return Number.isFinite(code) ? String.fromCodePoint(code) : entity;
  });
}

/** Answers `error` as S3 does: XML `<Error>`, no body for HEAD. */
export function sendS3Error(
  response: ServerResponse,
  error: S3Error,
  request: { method?: string; resource: string },
): void {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const body =
    request.method === 'HEAD'
      ? ''
      : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message><Resource>${escapeXml(request.resource)}</Resource><RequestId>${requestId}</RequestId></Error>`;
  response.writeHead(error.status, {
    ...error.headers,
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': requestId,
  });
  response.end(body);
}

/** Answers an XML document with status 200. */
export function sendXml(
  response: ServerResponse,
  body: string,
  headers: Record<string, string> = {},
): void {
  const document = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
  response.writeHead(200, {
    ...headers,
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(document),
  });
  response.end(document);
}
