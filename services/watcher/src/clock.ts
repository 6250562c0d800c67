/**
 * Clock is the watcher's only source of time (client-go's `clock.Clock`): `now()` in epoch ms and
 * `sleep(ms, signal)`, which resolves after `ms` or as soon as `signal` aborts (never rejects).
 * Injected everywhere so that no unit test sleeps.
 */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** systemClock is the wall clock with timers that do not keep the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const timer = setTimeout(done, ms);
      timer.unref();
      signal?.addEventListener('abort', done, { once: true });
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
    }),
};
