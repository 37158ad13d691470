import type { RateLimitGroup } from './rate-limit-groups.ts';

/** One entry of RingCentral's `errors[]` array (`ApiError` in the spec). */
export interface ApiErrorEntry {
  errorCode: string;
  message: string;
  parameterName?: string;
  parameterValue?: string;
  [key: string]: unknown;
}

/** What the rate-limit headers of a response said, when it had them. */
export interface RateLimitState {
  group?: RateLimitGroup | string;
  limit?: number;
  remaining?: number;
  windowSeconds?: number;
}

/** Everything a RingCentralError may carry besides its message. */
export interface RingCentralErrorDetails {
  status?: number;
  errorCode?: string;
  requestId?: string;
  rateLimit?: RateLimitState;
  errors?: ApiErrorEntry[];
  method?: string;
  url?: string;
  cause?: unknown;
}

/** Base of every error the RingCentral client throws. `status` is absent when no response came. */
export class RingCentralError extends Error {
  override name = 'RingCentralError';
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly requestId: string | undefined;
  readonly rateLimit: RateLimitState | undefined;
  readonly errors: ApiErrorEntry[];
  readonly method: string | undefined;
  readonly url: string | undefined;

  constructor(message: string, details: RingCentralErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.requestId = details.requestId;
    this.rateLimit = details.rateLimit;
    this.errors = details.errors ?? [];
    this.method = details.method;
    this.url = details.url;
  }
}

/** 429: the group is in a penalty; `retryAfterMs` is how long the server asked to wait. */
export class RateLimitedError extends RingCentralError {
  override name = 'RateLimitedError';
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, details: RingCentralErrorDetails = {}) {
    super(message, details);
    this.retryAfterMs = retryAfterMs;
  }
}

/** 400 MSG-333: the sync token is invalid or expired; start again with an FSync. */
export class SyncTokenInvalidError extends RingCentralError {
  override name = 'SyncTokenInvalidError';
}

/** 401/403: the token was rejected or lacks permission, or the OAuth endpoint refused the grant. */
export class AuthError extends RingCentralError {
  override name = 'AuthError';
}

/**
 * 403 CMN-401 (the app lacks a permission) or CMN-408 (the user lacks it for the requested
 * resource, e.g. a non-admin token reading another extension's mailbox). A configuration error,
 * not a transient one: `permissionName` names what the app or the user's role must be granted.
 */
export class InsufficientPermissionsError extends AuthError {
  override name = 'InsufficientPermissionsError';
  /** The missing permission (e.g. `ReadMessages`), when RingCentral named it. */
  readonly permissionName: string | undefined;
  constructor(
    message: string,
    permissionName: string | undefined,
    details: RingCentralErrorDetails = {},
  ) {
    super(message, details);
    this.permissionName = permissionName;
  }
}

/** 404: the resource does not exist (or no longer does). */
export class NotFoundError extends RingCentralError {
  override name = 'NotFoundError';
}

/** Any other 4xx: the server refused the request as invalid. */
export class InvalidRequestError extends RingCentralError {
  override name = 'InvalidRequestError';
}

/** Bad input caught by the client before anything was sent. */
export class InvalidInputError extends InvalidRequestError {
  override name = 'InvalidInputError';
}

/** 5xx after the retries the method allowed. */
export class ServerError extends RingCentralError {
  override name = 'ServerError';
}

/**
 * No usable response: connection failed or dropped. `mayHaveBeenReceived` tells a caller of a
 * POST that the server may have acted on it, which is why the client did not repeat it.
 */
export class TransportError extends RingCentralError {
  override name = 'TransportError';
  readonly mayHaveBeenReceived: boolean;
  constructor(
    message: string,
    mayHaveBeenReceived: boolean,
    details: RingCentralErrorDetails = {},
  ) {
    super(message, details);
    this.mayHaveBeenReceived = mayHaveBeenReceived;
  }
}

/** A wait (pacing, penalty, backoff, polling) or request would outlast the caller's deadline. */
export class DeadlineExceededError extends RingCentralError {
  override name = 'DeadlineExceededError';
  /** How long the client would have had to wait, when known. */
  readonly waitMs: number | undefined;
  constructor(message: string, waitMs?: number, details: RingCentralErrorDetails = {}) {
    super(message, details);
    this.waitMs = waitMs;
  }
}

/**
 * No slot of the shared rate budget (every process of this RingCentral user) can be had before
 * the caller's deadline: the request was not sent. Callers answer 503 with Retry-After.
 */
export class RateBudgetExhaustedError extends DeadlineExceededError {
  override name = 'RateBudgetExhaustedError';
  /** Whole seconds until a slot may be free again (at least 1). */
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterMs: number, details: RingCentralErrorDetails = {}) {
    super(message, retryAfterMs, details);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  }
}

/** The caller's AbortSignal fired. */
export class AbortedError extends RingCentralError {
  override name = 'AbortedError';
}

/** RingCentral's codes for a missing app permission (CMN-401) or user permission (CMN-408). */
const PERMISSION_CODES = new Set(['CMN-401', 'CMN-408']);

/** `permissionName` of the error entry, else of the body (RingCentral repeats it at both levels). */
function permissionNameOf(
  entry: ApiErrorEntry | undefined,
  body: Record<string, unknown>,
): string | undefined {
  const named = entry?.permissionName ?? body.permissionName;
  return typeof named === 'string' && named !== '' ? named : undefined;
}

/** Builds the right subclass for an HTTP error response. */
export function errorFromResponse(
  status: number,
  body: unknown,
  details: Omit<RingCentralErrorDetails, 'status' | 'errorCode' | 'errors'> & {
    retryAfterMs?: number;
  },
): RingCentralError {
  const errors = extractErrors(body);
  const first = errors[0];
  const errorCode = first?.errorCode;
  const oauth = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const description =
    first?.message ??
    (typeof oauth.error_description === 'string' ? oauth.error_description : undefined) ??
    (typeof oauth.message === 'string' ? oauth.message : undefined) ??
    `HTTP ${status}`;
  const where =
    details.method && details.url ? ` (${details.method} ${redactUrl(details.url)})` : '';
  const message = `${errorCode ? `${errorCode}: ` : ''}${description}${where}`;
  const full: RingCentralErrorDetails = { ...details, status, errorCode, errors };
  if (status === 429) return new RateLimitedError(message, details.retryAfterMs ?? 0, full);
  if (errorCode === 'MSG-333') return new SyncTokenInvalidError(message, full);
  if (status === 403 && errorCode !== undefined && PERMISSION_CODES.has(errorCode)) {
    return new InsufficientPermissionsError(message, permissionNameOf(first, oauth), full);
  }
  if (status === 401 || status === 403 || errorCode?.startsWith('OAU-')) {
    return new AuthError(message, full);
  }
  if (status === 404) return new NotFoundError(message, full);
  if (status >= 500) return new ServerError(message, full);
  return new InvalidRequestError(message, full);
}

/** Reads `errors[]` from either the standard or the OAuth error body. */
export function extractErrors(body: unknown): ApiErrorEntry[] {
  if (body === null || typeof body !== 'object') return [];
  const record = body as Record<string, unknown>;
  if (Array.isArray(record.errors)) {
    return record.errors.filter(
      (entry): entry is ApiErrorEntry =>
        entry !== null && typeof entry === 'object' && typeof entry.errorCode === 'string',
    );
  }
  if (typeof record.errorCode === 'string') {
    return [{ errorCode: record.errorCode, message: String(record.message ?? '') }];
  }
  return [];
}

/** Drops the query string: it may hold an access token on the media host. */
function redactUrl(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : url.slice(0, at);
}
