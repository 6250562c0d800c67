import { describe, expect, it } from 'vitest';
import { Backoff, defaultBackoff, maxDelayMs } from './backoff.ts';
import { FakeClock } from './testing/fake-clock.ts';

describe('Backoff', () => {
  it('doubles from 800 ms up to the 30 s cap without jitter', () => {
    const clock = new FakeClock();
    const backoff = new Backoff(defaultBackoff, clock, () => 0);
    const delays = Array.from({ length: 8 }, () => backoff.next());
    expect(delays).toEqual([800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000]);
  });

  it('stretches each delay by up to 100 % jitter, never beyond maxDelayMs', () => {
    const clock = new FakeClock();
    const backoff = new Backoff(defaultBackoff, clock, () => 0.999);
    const delays = Array.from({ length: 10 }, () => backoff.next());
    expect(delays[0]).toBe(1599);
    for (const d of delays) expect(d).toBeLessThanOrEqual(maxDelayMs(defaultBackoff));
  });

  it('starts again at 800 ms after a healthy period of more than two minutes', () => {
    const clock = new FakeClock();
    const backoff = new Backoff(defaultBackoff, clock, () => 0);
    backoff.next();
    backoff.next();
    expect(backoff.next()).toBe(3200);
    clock.advance(120_000);
    expect(backoff.next()).toBe(6400);
    clock.advance(120_001);
    expect(backoff.next()).toBe(800);
  });
});
