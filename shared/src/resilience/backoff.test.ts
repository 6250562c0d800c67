import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBackoff, fullJitterDelay } from './backoff.ts';

describe('fullJitterDelay', () => {
  it('draws from [0, min(cap, initial × 2^attempt))', () => {
    const options = { initialDelayMs: 100, maxDelayMs: 1000 };
    expect(fullJitterDelay(0, { ...options, random: () => 0.5 })).toBe(50);
    expect(fullJitterDelay(3, { ...options, random: () => 0.5 })).toBe(400);
    expect(fullJitterDelay(4, { ...options, random: () => 0.5 })).toBe(500); // capped at 1000
    expect(fullJitterDelay(4, { ...options, random: () => 0 })).toBe(0);
    expect(fullJitterDelay(4, { ...options, random: () => 0.999999 })).toBe(999);
  });

  it('stays within bounds for any attempt and random draw', () => {
    fc.assert(
      fc.property(
        fc.nat(10_000),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (attempt, draw, initial, extra) => {
          const max = initial + extra;
          const delay = fullJitterDelay(attempt, {
            initialDelayMs: initial,
            maxDelayMs: max,
            random: () => draw,
          });
          return Number.isInteger(delay) && delay >= 0 && delay < max;
        },
      ),
    );
  });
});

describe('createBackoff', () => {
  it('grows, caps and resets', () => {
    const backoff = createBackoff({ initialDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 });
    expect([
      backoff.next(),
      backoff.next(),
      backoff.next(),
      backoff.next(),
      backoff.next(),
      backoff.next(),
    ]).toEqual([50, 100, 200, 400, 500, 500]);
    expect(backoff.attempt).toBe(6);
    backoff.reset();
    expect(backoff.attempt).toBe(0);
    expect(backoff.next()).toBe(50);
  });

  it('keeps capping after a very long outage', () => {
    const backoff = createBackoff({ initialDelayMs: 0, maxDelayMs: 1000, random: () => 0.5 });
    for (let i = 0; i < 5000; i += 1) expect(Number.isFinite(backoff.next())).toBe(true);
  });

  it('rejects a cap below the initial delay', () => {
    expect(() => createBackoff({ initialDelayMs: 10, maxDelayMs: 5 })).toThrow(RangeError);
  });
});
