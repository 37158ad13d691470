/** RingCentral-shaped errors: status, `errorCode`, message and the `errors[]` array. */

/** One entry of a RingCentral error body's `errors[]`. */
export interface ApiErrorEntry {
  errorCode: string;
  message: string;
  parameterName?: string;
  parameterValue?: string;
  permissionName?: string;
}

/** An error answered as a RingCentral JSON error body with the given HTTP status. */
export class RcError extends Error {
  override readonly name = 'RcError';
  /** HTTP status of the response. */
  readonly status: number;
  /** Logical error code such as `CMN-102`. */
  readonly errorCode: string;
  /** Optional name of the offending parameter. */
  readonly parameterName: string | undefined;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Record<string, string>;
  /** OAuth `error` (RFC 6749), set on OAuth endpoint errors. */
  readonly oauthError: string | undefined;
  /** The permission a 403 says is missing (CMN-401, CMN-408). */
  readonly permissionName: string | undefined;

  constructor(
    status: number,
    errorCode: string,
    message: string,
    options: {
      parameterName?: string;
      headers?: Record<string, string>;
      oauthError?: string;
      permissionName?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = status;
    this.errorCode = errorCode;
    this.parameterName = options.parameterName;
    this.headers = options.headers ?? {};
    this.oauthError = options.oauthError;
    this.permissionName = options.permissionName;
  }

  /** The JSON body RingCentral sends for this error. */
  body(): Record<string, unknown> {
    const entry: ApiErrorEntry = { errorCode: this.errorCode, message: this.message };
    if (this.parameterName !== undefined) entry.parameterName = this.parameterName;
    if (this.permissionName !== undefined) entry.permissionName = this.permissionName;
    const body: Record<string, unknown> = {
      errorCode: this.errorCode,
      message: this.message,
      errors: [entry],
    };
    if (this.permissionName !== undefined) body.permissionName = this.permissionName;
    if (this.oauthError !== undefined) {
      body.error = this.oauthError;
      body.error_description = this.message;
    }
    return body;
  }
}

/** 404 CMN-102: the resource does not exist. */
export function notFound(what = 'Resource for parameter [messageId] is not found'): RcError {
  return new RcError(404, 'CMN-102', what);
}

/** 400 CMN-101: a parameter is invalid. */
export function badParameter(parameterName: string, message?: string): RcError {
  return new RcError(400, 'CMN-101', message ?? `Parameter [${parameterName}] value is invalid`, {
    parameterName,
  });
}
