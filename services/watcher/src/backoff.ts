import type { Clock } from './clock.ts';

/**
 * BackoffOptions are the constants of the reflector's exponential backoff. The defaults are
 * client-go's reflector (`NewExponentialBackoffManager(800ms, 30s, 2min, 2.0, 1.0)`):
 * - `initialMs` 800: long enough that a flapping API server is not hammered by every reflector
 *   at once, short enough that a one-off hiccup costs under two seconds.
 * - `factor` 2: doubling reaches the cap in six steps (0.8, 1.6, 3.2, 6.4, 12.8, 25.6 s).
 * - `maxMs` 30 000: a provider that is down for an hour is still retried twice a minute, so it
 *   recovers within a minute of coming back, and a thousand reflectors cost ~33 requests/s.
 * - `jitter` 1.0: each delay is stretched by a random 0–100 %, so reflectors that failed together
 *   (a provider restart breaks all of them at once) do not come back in lock-step.
 * - `resetAfterMs` 120 000: after two minutes without a failure the next failure starts again at
 *   800 ms — a healthy period proves the earlier trouble is over.
 * The longest single delay is therefore `maxMs × (1 + jitter)` = 60 s (`maxDelayMs`).
 */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
  readonly resetAfterMs: number;
}

/** defaultBackoff is client-go's reflector backoff; see `BackoffOptions` for why. */
export const defaultBackoff: BackoffOptions = Object.freeze({
  initialMs: 800,
  maxMs: 30_000,
  factor: 2,
  jitter: 1,
  resetAfterMs: 120_000,
});

/** maxDelayMs is the longest delay `Backoff.next()` can return with these options. */
export function maxDelayMs(options: BackoffOptions): number {
  return options.maxMs * (1 + options.jitter);
}

/**
 * Backoff is client-go's `exponentialBackoffManagerImpl`: `next()` returns the delay before the
 * next attempt and grows it by `factor` up to `maxMs`; when more than `resetAfterMs` passed since
 * the previous `next()`, it starts again from `initialMs`. `random` is injected for tests.
 */
export class Backoff {
  readonly #options: BackoffOptions;
  readonly #clock: Clock;
  readonly #random: () => number;
  #current: number;
  #lastAt: number | undefined;

  constructor(options: BackoffOptions, clock: Clock, random: () => number = Math.random) {
    this.#options = options;
    this.#clock = clock;
    this.#random = random;
    this.#current = options.initialMs;
  }

  next(): number {
    const now = this.#clock.now();
    if (this.#lastAt !== undefined && now - this.#lastAt > this.#options.resetAfterMs) {
      this.#current = this.#options.initialMs;
    }
    this.#lastAt = now;
    const base = this.#current;
    this.#current = Math.min(this.#current * this.#options.factor, this.#options.maxMs);
    return Math.round(base + base * this.#options.jitter * this.#random());
  }
}
