import {
  MongoAPIError,
  MongoError,
  MongoErrorLabel,
  MongoNetworkError,
  MongoParseError,
  MongoServerError,
  MongoServerSelectionError,
} from 'mongodb';
import { errorCodes, type DriftlineErrorCode } from './code.ts';
import { DriftlineError } from './driftline-error.ts';

/**
 * Disposition is what a caller does with a failure: `retry` it (with backoff, bounded),
 * `dead-letter` the unit of work and carry on, or `crash` the process.
 */
export type Disposition = 'retry' | 'dead-letter' | 'crash';

/** ErrorVerdict pairs the code an error is reported under with what to do about it. */
export interface ErrorVerdict {
  readonly code: DriftlineErrorCode;
  readonly disposition: Disposition;
}

// Server codes the driver itself treats as transient (retryable reads/writes spec), plus
// WriteConflict and WriteConcernFailed, which succeed when simply run again.
const retryableMongoCodes = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  64, // WriteConcernFailed
  89, // NetworkTimeout
  91, // ShutdownInProgress
  112, // WriteConflict
  134, // ReadConcernMajorityNotAvailableYet
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

// Labels the driver or server attach to errors that are safe to run again.
const retryableMongoLabels = [
  MongoErrorLabel.RetryableWriteError,
  MongoErrorLabel.ResetPool,
  MongoErrorLabel.PoolRequestedRetry,
  MongoErrorLabel.TransientTransactionError,
  MongoErrorLabel.RetryableError,
  MongoErrorLabel.SystemOverloadedError,
];

const authMongoCodes = new Set([
  13, // Unauthorized
  18, // AuthenticationFailed
]);

// Node system-call errors that mean "the peer is not there right now".
const transientSystemCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * hasTransientSystemCode looks for a transient system-call code on the error or its causes
 * (undici's fetch throws `TypeError: fetch failed` with the real ECONNREFUSED as its cause).
 */
function hasTransientSystemCode(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && transientSystemCodes.has(code)) return true;
  return hasTransientSystemCode((error as { cause?: unknown }).cause, depth + 1);
}

function fromCode(code: DriftlineErrorCode, retryable: boolean): ErrorVerdict {
  return { code, disposition: retryable ? 'retry' : errorCodes[code].permanent };
}

function hasBooleanRetriable(error: object): error is { retriable: boolean } {
  return 'retriable' in error && typeof error.retriable === 'boolean';
}

function fromMongo(error: MongoError): ErrorVerdict {
  if (error instanceof MongoAPIError || error instanceof MongoParseError) {
    return { code: 'INTERNAL', disposition: 'crash' };
  }
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) {
    return { code: 'MONGO_UNAVAILABLE', disposition: 'retry' };
  }
  if (retryableMongoLabels.some((label) => error.hasErrorLabel(label))) {
    return { code: 'MONGO_UNAVAILABLE', disposition: 'retry' };
  }
  if (error instanceof MongoServerError) {
    const code = Number(error.code);
    if (retryableMongoCodes.has(code)) return { code: 'MONGO_UNAVAILABLE', disposition: 'retry' };
    if (authMongoCodes.has(code)) return { code: 'MONGO_AUTH', disposition: 'crash' };
    return { code: 'MONGO_WRITE_REJECTED', disposition: 'dead-letter' };
  }
  // Other driver-side failures (closed client, runtime faults) mean a broken process.
  return fromCode('MONGO_UNAVAILABLE', false);
}

/**
 * judge returns the code an error is reported under and its disposition. Rules, first match wins:
 * a DriftlineError by its `retryable` flag, else its code's permanent disposition; programmer
 * errors (TypeError, RangeError, SyntaxError, ReferenceError) and thrown non-errors crash, never
 * retried — except undici's `TypeError: fetch failed` whose cause is a network error; MongoDB driver errors by class, label and server code; kafkajs errors by their
 * `retriable` flag (duck-typed, non-retriable crashes: the client already retried); Node
 * system errors like ECONNRESET retry; anything else is dead-lettered, so an unexpected input
 * never causes a crash loop.
 */
export function judge(error: unknown): ErrorVerdict {
  if (error instanceof DriftlineError) return fromCode(error.code, error.retryable);
  // A TypeError from undici's fetch wrapping a network failure is an outage, not a bug.
  if (error instanceof TypeError && hasTransientSystemCode(error.cause)) {
    return { code: 'NETWORK_UNAVAILABLE', disposition: 'retry' };
  }
  if (
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof SyntaxError ||
    error instanceof ReferenceError
  ) {
    return { code: 'INTERNAL', disposition: 'crash' };
  }
  if (!(error instanceof Error)) return { code: 'INTERNAL', disposition: 'crash' };
  if (error instanceof MongoError) return fromMongo(error);
  if (hasBooleanRetriable(error)) {
    return error.retriable
      ? { code: 'KAFKA_UNAVAILABLE', disposition: 'retry' }
      : { code: 'KAFKA_FATAL', disposition: 'crash' };
  }
  if (hasTransientSystemCode(error)) return { code: 'NETWORK_UNAVAILABLE', disposition: 'retry' };
  return { code: 'INTERNAL', disposition: 'dead-letter' };
}

/**
 * classify decides what to do with any thrown value: `retry`, `dead-letter` or `crash`.
 * See `judge` for the rules; this is its disposition alone.
 */
export function classify(error: unknown): Disposition {
  return judge(error).disposition;
}

/**
 * errorCodeOf is the DriftlineErrorCode an error is reported under (dead-letter `errorCode`,
 * metric labels): a DriftlineError's own code, else the code `judge` maps the error to.
 */
export function errorCodeOf(error: unknown): DriftlineErrorCode {
  return judge(error).code;
}
