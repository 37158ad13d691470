/** Thrown by `ExportTasks.create` when the account already has `maxRunning` unfinished tasks. */
export class ExportLimitError extends Error {
  override readonly name = 'ExportLimitError';
  /** HTTP status the route answers with. */
  readonly status = 400;
  /**
   * RingCentral documents the limit (2 tasks per account) but not its error code; this one is the
   * emulator's choice, named after the report service's `Pic` prefix in the spec.
   */
  readonly errorCode = 'PIC-102';

  constructor(maxRunning: number, options?: { cause?: unknown }) {
    super(
      `Maximum number of simultaneous message store report tasks (${maxRunning}) per account is reached`,
      options,
    );
  }
}

/** Thrown by `ExportTasks.create` when a field of the request is invalid (400 CMN-101). */
export class ExportRequestError extends Error {
  override readonly name = 'ExportRequestError';
  /** HTTP status the route answers with. */
  readonly status = 400;
  /** RingCentral's code for an invalid parameter value. */
  readonly errorCode = 'CMN-101';
  /** The request field that is wrong, as RingCentral reports it in `parameterName`. */
  readonly parameterName: string;

  constructor(parameterName: string, options?: { cause?: unknown }) {
    super(`Parameter [${parameterName}] value is invalid`, options);
    this.parameterName = parameterName;
  }
}
