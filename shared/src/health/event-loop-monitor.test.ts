import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEventLoopMonitor } from './event-loop-monitor.ts';

describe('createEventLoopMonitor', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports no lag when ticks run on time, and the overdue time when they do not', () => {
    let now = 0;
    const monitor = createEventLoopMonitor({ intervalMs: 100, clock: { now: () => now } });
    now = 100;
    vi.advanceTimersByTime(100);
    expect(monitor.lagMs()).toBe(0);
    // The loop is blocked: the clock moves on, the timer does not fire.
    now = 2_100;
    expect(monitor.lagMs()).toBe(1_900);
    // The late tick records the lag it saw.
    vi.advanceTimersByTime(100);
    expect(monitor.lagMs()).toBe(1_900);
    monitor.stop();
  });
});
