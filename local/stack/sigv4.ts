/**
 * AWS Signature Version 4 for the local gateway: verifying a request the way API Gateway does for
 * IAM-authorised routes, and signing one (for `npm run local:send`). Both share one canonical
 * form, taken from AWS's SigV4 specification; the tests check the verifier against signers that
 * are not this code (curl's `--aws-sigv4` and the AWS SDK's signer).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** An access key the local gateway accepts, and the IAM identity it stands for. */
export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** The caller's ARN, as API Gateway puts it in `requestContext.authorizer.iam.userArn`. */
  userArn: string;
  accountId: string;
  /** The IAM user id (`AIDA...`), `callerId` and `userId` in the authorizer context. */
  userId: string;
  /**
   * The session token of temporary credentials (STS): a request signed with this key must carry
   * exactly it in `X-Amz-Security-Token`. A long-term key has none, and a request that carries
   * one anyway is refused, as API Gateway does: a token must belong to the key.
   */
  sessionToken?: string;
}

/** What signing and verification need of a request. Header names in any case. */
export interface SignableRequest {
  method: string;
  /** The path as sent on the wire (percent-encoded), without the query. */
  path: string;
  /** The raw query string without `?` (may be empty). */
  query: string;
  /** Header name/value pairs as received; repeated names appear repeatedly. */
  headers: ReadonlyArray<readonly [string, string]>;
  /** The body's SHA-256 in lower-case hex. */
  payloadSha256: string;
}

/** Why a request was refused (API Gateway answers 403 to each). */
export type SignatureProblem =
  | 'missing-authentication'
  | 'malformed-authorization'
  | 'unknown-access-key'
  | 'invalid-security-token'
  | 'wrong-scope'
  | 'signature-expired'
  | 'unsigned-host'
  | 'signature-mismatch';

/** The outcome of {@link verifySignature}. */
export type SignatureVerdict =
  | { ok: true; credentials: LocalCredentials }
  | { ok: false; problem: SignatureProblem; message: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** API Gateway refuses a signature more than 5 minutes away from its clock. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** SHA-256 in hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** RFC 3986 encoding, as SigV4 requires (encodeURIComponent leaves !'()* alone). */
function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    return text;
  }
}

/**
 * The canonical URI of services other than S3: each segment of the path as sent is encoded
 * once more ("double encoding"), and the path is not otherwise normalised.
 */
function canonicalUri(path: string): string {
  if (path === '' || path === '/') return '/';
  return path
    .split('/')
    .map((segment) => encodeRfc3986(segment))
    .join('/');
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const index = part.indexOf('=');
      const name = index < 0 ? part : part.slice(0, index);
      const value = index < 0 ? '' : part.slice(index + 1);
      return [encodeRfc3986(decodeLoosely(name)), encodeRfc3986(decodeLoosely(value))] as const;
    })
    .filter(([name]) => name !== 'X-Amz-Signature');
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

function headerValues(request: SignableRequest): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const [name, value] of request.headers) {
    const key = name.toLowerCase();
    const list = values.get(key) ?? [];
    list.push(value.trim().replace(/\s+/g, ' '));
    values.set(key, list);
  }
  return values;
}

/** The SigV4 canonical request over `signedHeaders` (lower-case names, sorted). */
export function canonicalRequest(
  request: SignableRequest,
  signedHeaders: readonly string[],
): string {
  const values = headerValues(request);
  const headers = signedHeaders
    .map((name) => `${name}:${(values.get(name) ?? []).join(',')}\n`)
    .join('');
  return [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQuery(request.query),
    headers,
    signedHeaders.join(';'),
    request.payloadSha256,
  ].join('\n');
}

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

function signatureOf(
  request: SignableRequest,
  signedHeaders: readonly string[],
  amzDate: string,
  scope: { date: string; region: string; service: string },
  secret: string,
): string {
  const scopeText = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [
    ALGORITHM,
    amzDate,
    scopeText,
    sha256Hex(canonicalRequest(request, signedHeaders)),
  ].join('\n');
  return createHmac('sha256', signingKey(secret, scope.date, scope.region, scope.service))
    .update(stringToSign, 'utf8')
    .digest('hex');
}

/** `20260101T120000Z` for a time. */
export function amzDateOf(time: Date): string {
  return time.toISOString().replace(/[-:]|\.\d{3}/g, '');
}

function parseAmzDate(text: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

/**
 * Signs a request: returns the headers to add (`x-amz-date`, `x-amz-content-sha256` and
 * `authorization`). Every header given, plus those, is signed; `host` must be among them.
 */
export function signRequest(
  request: SignableRequest,
  credentials: Pick<LocalCredentials, 'accessKeyId' | 'secretAccessKey'>,
  options: { region: string; service: string; now?: Date },
): Record<string, string> {
  const amzDate = amzDateOf(options.now ?? new Date());
  const date = amzDate.slice(0, 8);
  const added: Record<string, string> = {
    'x-amz-date': amzDate,
    'x-amz-content-sha256': request.payloadSha256,
  };
  const all: SignableRequest = {
    ...request,
    headers: [...request.headers, ...Object.entries(added)],
  };
  const signedHeaders = [...new Set(all.headers.map(([name]) => name.toLowerCase()))].sort();
  const signature = signatureOf(
    all,
    signedHeaders,
    amzDate,
    { date, region: options.region, service: options.service },
    credentials.secretAccessKey,
  );
  added.authorization =
    `${ALGORITHM} Credential=${credentials.accessKeyId}/${date}/${options.region}/${options.service}/aws4_request, ` +
    `SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return added;
}

/** Whether the request's session token is the one issued with the key (none for a long-term key). */
function sessionTokenBelongs(
  credentials: LocalCredentials,
  sent: readonly string[] | undefined,
): boolean {
  const expected = credentials.sessionToken;
  if (sent === undefined) return expected === undefined;
  if (expected === undefined || sent.length !== 1) return false;
  const [token = ''] = sent;
  return (
    token.length === expected.length && timingSafeEqual(Buffer.from(token), Buffer.from(expected))
  );
}

function refuse(problem: SignatureProblem, message: string): SignatureVerdict {
  return { ok: false, problem, message };
}

/**
 * Verifies a request's SigV4 `Authorization` header against the known credentials, for one
 * region and service, as API Gateway does for an IAM route: the scope must name them, the
 * date must be within 5 minutes, `host` must be signed, and the signature must match the body
 * actually received (its hash is computed here, never taken from the request).
 */
export function verifySignature(
  request: SignableRequest,
  known: readonly LocalCredentials[],
  options: { region: string; service: string; now?: number },
): SignatureVerdict {
  const values = headerValues(request);
  const authorization = values.get('authorization')?.[0];
  if (authorization === undefined) {
    return refuse('missing-authentication', 'Missing Authentication Token');
  }
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) return refuse('malformed-authorization', 'Authorization header is malformed');
  const [
    ,
    accessKeyId = '',
    date = '',
    region = '',
    service = '',
    signedText = '',
    signature = '',
  ] = match;
  const credentials = known.find((candidate) => candidate.accessKeyId === accessKeyId);
  if (!credentials) {
    return refuse('unknown-access-key', 'The security token included in the request is invalid');
  }
  if (!sessionTokenBelongs(credentials, values.get('x-amz-security-token'))) {
    return refuse(
      'invalid-security-token',
      'The security token included in the request is invalid',
    );
  }
  if (region !== options.region || service !== options.service) {
    return refuse(
      'wrong-scope',
      `Credential should be scoped to a valid region and service (${options.region}/${options.service})`,
    );
  }
  const amzDate = values.get('x-amz-date')?.[0] ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined || amzDate.slice(0, 8) !== date) {
    return refuse('malformed-authorization', 'X-Amz-Date is missing or does not match the scope');
  }
  if (Math.abs((options.now ?? Date.now()) - signedAt) > MAX_CLOCK_SKEW_MS) {
    return refuse('signature-expired', `Signature expired: ${amzDate} is too far from now`);
  }
  const signedHeaders = signedText.split(';');
  if (!signedHeaders.includes('host')) {
    return refuse('unsigned-host', "'Host' must be a signed header");
  }
  const expected = signatureOf(
    request,
    signedHeaders,
    amzDate,
    { date, region, service },
    credentials.secretAccessKey,
  );
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
    return refuse(
      'signature-mismatch',
      'The request signature we calculated does not match the signature you provided',
    );
  }
  return { ok: true, credentials };
}
