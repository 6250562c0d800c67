import { errorCodes, type DriftlineErrorCode } from './code.ts';

/**
 * DriftlineErrorDetails are scalar facts that help an operator (topic, partition, provider id,
 * variable name). Scalars only, so nobody dumps a whole object — and never a secret: details are
 * logged and may be copied into a dead-letter record.
 */
export type DriftlineErrorDetails = Readonly<Record<string, string | number | boolean | null>>;

/** DriftlineErrorOptions are the optional parts of a DriftlineError. */
export interface DriftlineErrorOptions {
  /** Overrides the code's default from `errorCodes` (e.g. a TIMEOUT on a non-idempotent call). */
  readonly retryable?: boolean;
  /** The underlying error, kept for logs and for `classify` of wrapped driver errors. */
  readonly cause?: unknown;
  readonly details?: DriftlineErrorDetails;
}

/**
 * DriftlineError is the one error type driftline code throws. `code` comes from the closed
 * `DriftlineErrorCode` union, `retryable` defaults to the code's entry in `errorCodes`, `cause`
 * keeps the original error. Decide what to do with any error through `classify`, never by
 * comparing names or messages.
 */
export class DriftlineError extends Error {
  readonly code: DriftlineErrorCode;
  readonly retryable: boolean;
  readonly details: DriftlineErrorDetails | undefined;

  constructor(code: DriftlineErrorCode, message: string, options: DriftlineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DriftlineError';
    this.code = code;
    this.retryable = options.retryable ?? errorCodes[code].retryable;
    this.details = options.details === undefined ? undefined : Object.freeze({ ...options.details });
  }
}
