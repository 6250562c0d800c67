/** Clock tells the time in epoch milliseconds. Injected so tests control time and never sleep. */
export interface Clock {
  now(): number;
}

/**
 * systemClock reads `Date.now()` at each call (not bound at import), so vitest's fake timers
 * drive it too.
 */
export const systemClock: Clock = { now: () => Date.now() };

/** Random returns a number in [0, 1), like `Math.random`. Injected so jitter is reproducible. */
export type Random = () => number;

/** systemRandom is `Math.random`, read at each call. */
export const systemRandom: Random = () => Math.random();
