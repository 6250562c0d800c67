import {
  Observable,
  asyncScheduler,
  type OperatorFunction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';

/** ChunkOptions bound a chunk by size and by how long its first item may wait. */
export interface ChunkOptions {
  /** Most items in one chunk; a chunk is emitted as soon as it holds this many. */
  readonly size: number;
  /** Longest the first item of a chunk waits for company before the chunk is emitted anyway. */
  readonly maxWaitMs: number;
  /** Scheduler the wait runs on; tests pass a TestScheduler, production the default asyncScheduler. */
  readonly scheduler?: SchedulerLike;
}

/**
 * chunk groups a stream into arrays of at most `size` items. A chunk is emitted when it is full or
 * `maxWaitMs` after its first item arrived, whichever comes first, so a lone record is never held
 * longer than `maxWaitMs` and a burst is written in full chunks. Order is preserved, no empty chunk
 * is ever emitted (unlike `bufferTime`, whose windows tick whether or not anything arrived), the
 * items still buffered are emitted when the source completes, and an error is passed on at once
 * (the buffered items are dropped: their producers see the error). The buffer never holds more
 * than `size` items.
 */
export function chunk<T>(options: ChunkOptions): OperatorFunction<T, T[]> {
  const { size, maxWaitMs } = options;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk: size must be ≥ 1, got ${size}`);
  if (!(maxWaitMs >= 0)) throw new RangeError(`chunk: maxWaitMs must be ≥ 0, got ${maxWaitMs}`);
  const scheduler = options.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let buffer: T[] = [];
      let timer: Subscription | null = null;
      const flush = (): void => {
        timer?.unsubscribe();
        timer = null;
        if (buffer.length === 0) return;
        const full = buffer;
        buffer = [];
        subscriber.next(full);
      };
      const subscription = source.subscribe({
        next(item) {
          buffer.push(item);
          if (buffer.length >= size) {
            flush();
          } else if (timer === null) {
            timer = scheduler.schedule(flush, maxWaitMs);
          }
        },
        error(error: unknown) {
          timer?.unsubscribe();
          buffer = [];
          subscriber.error(error);
        },
        complete() {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
