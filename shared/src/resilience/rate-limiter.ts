import { DriftlineError } from '../errors/index.ts';
import { systemClock, type Clock } from './clock.ts';

/** RateLimiterOptions shape a token bucket. */
export interface RateLimiterOptions {
  /** Name of the limited dependency (a provider id); used in errors, never a secret. */
  readonly name: string;
  /** Sustained rate: tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size: the largest burst allowed after a quiet period. */
  readonly burst: number;
  /**
   * Longest wait `acquire` accepts; a caller that would wait longer gets
   * `DriftlineError('RATE_LIMITED')` at once. This bounds the implicit queue of waiters.
   */
  readonly maxWaitMs: number;
  readonly clock?: Clock;
}

/** RateLimiter hands out tokens at a bounded rate. */
export interface RateLimiter {
  /** tryAcquire takes `tokens` if they are available now and tells whether it did; never waits. */
  tryAcquire(tokens?: number): boolean;
  /**
   * acquire takes `tokens`, waiting (on a timer) until the bucket has refilled enough. Callers
   * are served in call order: each reserves its tokens up front, so a later caller waits behind
   * an earlier one. Rejects with `DriftlineError('RATE_LIMITED')` when the wait would exceed
   * `maxWaitMs`, and with the signal's reason (tokens returned) if `signal` aborts.
   */
  acquire(tokens?: number, signal?: AbortSignal): Promise<void>;
  /** available is the number of whole tokens in the bucket now (0 while callers are waiting). */
  available(): number;
}

/**
 * createRateLimiter returns a token-bucket `RateLimiter` (the reservation scheme of Go's
 * `x/time/rate`). Hand-written because cockatiel has no rate limiter (its bulkhead bounds
 * concurrency, not rate) and the usual npm limiters bring their own timers and clocks, which
 * would keep tests from driving time through an injected clock.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) {
    throw new RangeError('rate limiter needs ratePerSecond > 0 and burst >= 1');
  }
  const clock = options.clock ?? systemClock;
  let tokens = options.burst;
  let updatedAt = clock.now();

  function refill(): void {
    const now = clock.now();
    // A clock that steps backwards adds nothing rather than removing tokens.
    const elapsedMs = Math.max(0, now - updatedAt);
    tokens = Math.min(options.burst, tokens + (elapsedMs * options.ratePerSecond) / 1000);
    updatedAt = now;
  }

  function checkSize(wanted: number): void {
    if (!(wanted >= 1) || wanted > options.burst) {
      throw new RangeError(`cannot take ${wanted} tokens from a bucket of ${options.burst}`);
    }
  }

  return {
    tryAcquire(wanted = 1) {
      checkSize(wanted);
      refill();
      if (tokens < wanted) return false;
      tokens -= wanted;
      return true;
    },
    acquire(wanted = 1, signal) {
      checkSize(wanted);
      signal?.throwIfAborted();
      refill();
      const waitMs = tokens >= wanted ? 0 : Math.ceil(((wanted - tokens) * 1000) / options.ratePerSecond);
      if (waitMs > options.maxWaitMs) {
        return Promise.reject(
          new DriftlineError(
            'RATE_LIMITED',
            `${options.name}: rate limit wait ${waitMs}ms exceeds ${options.maxWaitMs}ms`,
            {
              details: { limiter: options.name, waitMs },
            },
          ),
        );
      }
      tokens -= wanted;
      if (waitMs === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          clearTimeout(timer);
          tokens += wanted;
          reject(signal?.reason);
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, waitMs);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    available() {
      refill();
      return Math.max(0, Math.floor(tokens));
    },
  };
}
