import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DriftlineError } from '../errors/index.ts';
import { createRateLimiter } from './rate-limiter.ts';

describe('createRateLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('allows a burst, then refills at the rate from the injected clock', () => {
    let now = 0;
    const limiter = createRateLimiter({
      name: 'p1',
      ratePerSecond: 10,
      burst: 3,
      maxWaitMs: 1000,
      clock: { now: () => now },
    });
    expect([limiter.tryAcquire(), limiter.tryAcquire(), limiter.tryAcquire(), limiter.tryAcquire()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    now = 99;
    expect(limiter.tryAcquire()).toBe(false);
    now = 100;
    expect(limiter.tryAcquire()).toBe(true);
    now = 10_000;
    expect(limiter.available()).toBe(3); // never above the burst
  });

  it('makes acquire wait in call order for the refill', async () => {
    const limiter = createRateLimiter({ name: 'p1', ratePerSecond: 10, burst: 1, maxWaitMs: 1000 });
    const done: string[] = [];
    const first = limiter.acquire().then(() => done.push('first'));
    const second = limiter.acquire().then(() => done.push('second'));
    const third = limiter.acquire().then(() => done.push('third'));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual(['first']);
    await vi.advanceTimersByTimeAsync(100);
    expect(done).toEqual(['first', 'second']);
    await vi.advanceTimersByTimeAsync(100);
    expect(done).toEqual(['first', 'second', 'third']);
    await Promise.all([first, second, third]);
  });

  it('refuses a wait longer than maxWaitMs with a retryable RATE_LIMITED', async () => {
    const limiter = createRateLimiter({ name: 'p1', ratePerSecond: 1, burst: 1, maxWaitMs: 500 });
    await limiter.acquire();
    const error = await limiter.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriftlineError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
  });

  it('returns the tokens of an aborted waiter', async () => {
    const limiter = createRateLimiter({ name: 'p1', ratePerSecond: 10, burst: 1, maxWaitMs: 1000 });
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(1, controller.signal);
    controller.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    await vi.advanceTimersByTimeAsync(100);
    expect(limiter.tryAcquire()).toBe(true);
  });

  it('rejects impossible requests as programmer errors', () => {
    const limiter = createRateLimiter({ name: 'p1', ratePerSecond: 1, burst: 2, maxWaitMs: 1 });
    expect(() => limiter.tryAcquire(3)).toThrow(RangeError);
    expect(() => createRateLimiter({ name: 'p1', ratePerSecond: 0, burst: 1, maxWaitMs: 1 })).toThrow(
      RangeError,
    );
  });
});
