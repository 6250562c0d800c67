import { DriftlineError, judge, type DriftlineErrorDetails } from '@driftline/shared/errors';

// How many `cause` links are followed: kafkajs nests at most two (retries exceeded → protocol
// error); the bound keeps a cyclic chain from looping.
const MAX_CAUSE_DEPTH = 5;

function hasRetriableFlag(error: unknown): error is Error & { retriable: boolean } {
  return error instanceof Error && typeof (error as { retriable?: unknown }).retriable === 'boolean';
}

/**
 * isTransientKafkaError tells whether a kafkajs error, or any error in its `cause` chain, is one
 * kafkajs marks `retriable`. kafkajs wraps a transient failure it gave up on in
 * KafkaJSNumberOfRetriesExceeded, which is itself non-retriable; the condition underneath (broker
 * down, leader moving) is still transient, and retrying later at the service level is right.
 */
export function isTransientKafkaError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth += 1) {
    if (hasRetriableFlag(current) && current.retriable) return true;
    current = current.cause;
  }
  return false;
}

/**
 * toKafkaError wraps whatever a kafkajs call threw as a DriftlineError, keeping the original as
 * `cause`: transient kafkajs errors (see isTransientKafkaError) and network errors become
 * `KAFKA_UNAVAILABLE` (retryable); other kafkajs errors `KAFKA_FATAL` (not retryable).
 * A DriftlineError passes through unchanged; programmer errors (TypeError...) become `INTERNAL`.
 */
export function toKafkaError(
  error: unknown,
  action: string,
  details?: DriftlineErrorDetails,
): DriftlineError {
  if (error instanceof DriftlineError) return error;
  const verdict = judge(error);
  const transient = isTransientKafkaError(error) || verdict.code === 'NETWORK_UNAVAILABLE';
  const code = transient ? 'KAFKA_UNAVAILABLE' : hasRetriableFlag(error) ? 'KAFKA_FATAL' : verdict.code;
  const message = error instanceof Error ? error.message : String(error);
  return new DriftlineError(code, `${action}: ${message}`, {
    cause: error,
    retryable: transient,
    ...(details === undefined ? {} : { details }),
  });
}
