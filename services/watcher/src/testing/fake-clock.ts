import type { Clock } from '../clock.ts';

interface Sleeper {
  readonly at: number;
  readonly resolve: () => void;
}

/**
 * FakeClock is a virtual-time `Clock`. Sleepers wake only when `advance(ms)` moves time past their
 * deadline, in deadline order. `sleeps` records every requested delay, so tests can assert a
 * backoff sequence without waiting for it.
 */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  #now: number;
  #sleepers: Sleeper[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  /** pending is how many sleepers wait for time to move. */
  get pending(): number {
    return this.#sleepers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const sleeper: Sleeper = {
        at: this.#now + ms,
        resolve: () => {
          this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
          resolve();
        },
      };
      this.#sleepers.push(sleeper);
      signal?.addEventListener('abort', () => sleeper.resolve(), { once: true });
    });
  }

  /** advance moves time forward by `ms`, waking every sleeper whose deadline is reached. */
  advance(ms: number): void {
    this.#now += ms;
    for (const sleeper of [...this.#sleepers].sort((a, b) => a.at - b.at)) {
      if (sleeper.at <= this.#now) sleeper.resolve();
    }
  }

  /** advanceToNext moves time to the earliest sleeper's deadline and wakes it; false if none. */
  advanceToNext(): boolean {
    const next = [...this.#sleepers].sort((a, b) => a.at - b.at)[0];
    if (next === undefined) return false;
    this.advance(Math.max(0, next.at - this.#now));
    return true;
  }
}

/** flush lets every queued promise callback and I/O callback run (no timers, no waiting). */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
