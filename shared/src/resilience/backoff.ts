import { systemRandom, type Random } from './clock.ts';

/** BackoffOptions shape an exponential backoff with full jitter. */
export interface BackoffOptions {
  /** Ceiling of the first delay. */
  readonly initialDelayMs: number;
  /** Cap on every delay, however many attempts failed. */
  readonly maxDelayMs: number;
  /** Growth per attempt; 2 unless there is a reason. */
  readonly multiplier?: number;
  readonly random?: Random;
}

/**
 * fullJitterDelay is the delay before retry number `attempt` (0-based): uniformly drawn from
 * [0, min(maxDelayMs, initialDelayMs × multiplier^attempt)). Full jitter, as in AWS's "Exponential
 * Backoff and Jitter": clients that failed together must not retry together, and drawing from the
 * whole window spreads them best for the least total wait.
 */
export function fullJitterDelay(attempt: number, options: BackoffOptions): number {
  const multiplier = options.multiplier ?? 2;
  const random = options.random ?? systemRandom;
  // The exponent is capped so a long outage never computes 0 × Infinity; by 2^32 any sane
  // initial delay is far past the cap anyway.
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * multiplier ** Math.min(attempt, 32));
  return Math.floor(random() * ceiling);
}

/** Backoff hands out successive delays for a loop that is not a single call (reconnect, relist). */
export interface Backoff {
  /** next returns the delay to wait before the next try and advances the attempt count. */
  next(): number;
  /** reset starts over from the first delay; call it after a success. */
  reset(): void;
  /** attempt is the number of delays handed out since the last reset. */
  readonly attempt: number;
}

/**
 * createBackoff returns a `Backoff` whose delays follow `fullJitterDelay`. It does not sleep:
 * the caller waits (on its own timer, so tests drive it with fake timers).
 */
export function createBackoff(options: BackoffOptions): Backoff {
  if (options.initialDelayMs < 0 || options.maxDelayMs < options.initialDelayMs) {
    throw new RangeError('backoff needs 0 <= initialDelayMs <= maxDelayMs');
  }
  let attempt = 0;
  return {
    next() {
      const delay = fullJitterDelay(attempt, options);
      attempt += 1;
      return delay;
    },
    reset() {
      attempt = 0;
    },
    get attempt() {
      return attempt;
    },
  };
}
