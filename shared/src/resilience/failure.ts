import { isBrokenCircuitError, isTaskCancelledError } from 'cockatiel';
import { classify, DriftlineError } from '../errors/index.ts';

/**
 * toPolicyError turns cockatiel's own rejections into driftline errors: a cancelled task (the
 * timeout fired) becomes `TIMEOUT`, an open or isolated circuit becomes `CIRCUIT_OPEN`; both
 * retryable. Any other error is returned unchanged so `classify` still sees driver details.
 */
export function toPolicyError(error: unknown, policy: string): unknown {
  if (isTaskCancelledError(error)) {
    return new DriftlineError('TIMEOUT', `${policy}: call timed out`, { cause: error, details: { policy } });
  }
  if (isBrokenCircuitError(error)) {
    return new DriftlineError('CIRCUIT_OPEN', `${policy}: circuit is open`, {
      cause: error,
      details: { policy },
    });
  }
  return error;
}

/** isTransient tells whether `classify` says to retry `error` once cockatiel's errors are mapped. */
export function isTransient(error: unknown, policy: string): boolean {
  return classify(toPolicyError(error, policy)) === 'retry';
}
