import { systemClock, type Clock } from '../resilience/index.ts';

/** EventLoopMonitor measures how late a periodic timer fires: the event loop's lag. */
export interface EventLoopMonitor {
  /**
   * lagMs is the larger of the last measured lag and how overdue the next tick is now, so a
   * loop that stopped ticking shows its lag without waiting for the tick.
   */
  lagMs(): number;
  stop(): void;
}

/**
 * createEventLoopMonitor ticks every `intervalMs` on an unref'd timer (it never keeps the
 * process alive) and records how late each tick ran.
 */
export function createEventLoopMonitor(options: { intervalMs: number; clock?: Clock }): EventLoopMonitor {
  const clock = options.clock ?? systemClock;
  let lastTickAt = clock.now();
  let lastLagMs = 0;
  const timer = setInterval(() => {
    const now = clock.now();
    lastLagMs = Math.max(0, now - lastTickAt - options.intervalMs);
    lastTickAt = now;
  }, options.intervalMs);
  timer.unref();
  return {
    lagMs() {
      const overdue = clock.now() - lastTickAt - options.intervalMs;
      return Math.max(lastLagMs, overdue, 0);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
