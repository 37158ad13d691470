/**
 * A subscription request RingCentral refuses. The route answers `status` with the body
 * `{errorCode, message, errors:[{errorCode, message, parameterName?}]}`.
 *
 * Codes: 400 CMN-101 invalid field (`parameterName` set); 404 CMN-102 unknown or expired
 * subscription; 400 SUB-505 over the per-owner limit; 400 SUB-520 the handshake response lacks the
 * echoed `Validation-Token`; 400 SUB-525 the handshake answered a non-2xx status; 400 SUB-521
 * the address did not answer in time or refused the connection; 400 SUB-528 renewing or
 * updating a Blacklisted subscription. SUB-505/520/525 are RingCentral's; SUB-521/528 are
 * plausible codes of the emulator's choosing.
 */
export class SubscriptionError extends Error {
  override readonly name = 'SubscriptionError';
  /** HTTP status the route answers with. */
  readonly status: number;
  /** RingCentral error code, e.g. `SUB-520`. */
  readonly errorCode: string;
  /** The request field at fault, for CMN-101. */
  readonly parameterName?: string;

  constructor(
    status: number,
    errorCode: string,
    message: string,
    options?: { cause?: unknown; parameterName?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.errorCode = errorCode;
    if (options?.parameterName !== undefined) this.parameterName = options.parameterName;
  }

  /** 400 CMN-101 for one invalid request field. */
  static invalid(parameterName: string): SubscriptionError {
    return new SubscriptionError(400, 'CMN-101', `Parameter [${parameterName}] value is invalid`, {
      parameterName,
    });
  }

  /** 404 CMN-102 for an unknown, expired or foreign subscription id. */
  static notFound(): SubscriptionError {
    return new SubscriptionError(
      404,
      'CMN-102',
      'Resource for parameter [subscriptionId] is not found',
      {
        parameterName: 'subscriptionId',
      },
    );
  }
}
