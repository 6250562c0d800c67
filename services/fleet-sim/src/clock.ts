/** Clock is the injected source of wall time (epoch ms), so tests control time instead of sleeping. */
export interface Clock {
  now(): number;
}

/** systemClock reads `Date.now()`. */
export const systemClock: Clock = { now: () => Date.now() };

/** manualClock is a Clock tests move by hand. */
export function manualClock(startMs = 0): Clock & { advance(ms: number): void; set(ms: number): void } {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance: (ms) => {
      nowMs += ms;
    },
    set: (ms) => {
      nowMs = ms;
    },
  };
}
