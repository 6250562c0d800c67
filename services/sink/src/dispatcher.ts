/** DispatcherOptions configure `createDispatcher`. */
export interface DispatcherOptions<T> {
  /** Most chunks being written at once. */
  readonly maxInFlight: number;
  /** The documents an item writes (`collection/_id`); two chunks sharing one never overlap. */
  readonly idsOf: (item: T) => readonly string[];
  /** Writes one chunk; `sequence` counts chunks from 1. Must settle; a rejection is the caller's to report. */
  readonly run: (chunk: readonly T[], sequence: number) => Promise<void>;
}

/** Dispatcher starts chunks in arrival order with a bounded number in flight. */
export interface Dispatcher<T> {
  /** enqueue queues a chunk; it starts as soon as the bounds allow. */
  enqueue(chunk: readonly T[]): void;
  /** Chunks being written now. */
  readonly inFlight: number;
  /** Chunks waiting for a slot. */
  readonly queued: number;
  /** Chunks enqueued so far (the `n` of "chunk i/n"). */
  readonly enqueued: number;
  /** idle resolves once nothing is queued or in flight. */
  idle(): Promise<void>;
}

/**
 * createDispatcher runs chunks FIFO, at most `maxInFlight` at once, and never starts a chunk
 * while an earlier one that writes one of the same documents is in flight: per document, writes
 * reach MongoDB in the order records were consumed (a tombstone is never overtaken by the record
 * it deletes), while chunks of unrelated keys overlap. A chunk blocked that way also holds back
 * the chunks behind it (head-of-line), which keeps order simple and the wait bounded by one
 * chunk's write. The queue itself is bounded by the callers: the consumer awaits its batch.
 */
export function createDispatcher<T>(options: DispatcherOptions<T>): Dispatcher<T> {
  if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1) {
    throw new RangeError(`createDispatcher: maxInFlight must be ≥ 1, got ${options.maxInFlight}`);
  }
  const queue: { chunk: readonly T[]; ids: ReadonlySet<string>; sequence: number }[] = [];
  const busy = new Map<string, number>();
  let running = 0;
  let enqueued = 0;
  let waiters: (() => void)[] = [];

  const conflicts = (ids: ReadonlySet<string>): boolean => {
    for (const id of ids) if (busy.has(id)) return true;
    return false;
  };
  const settle = (): void => {
    if (running > 0 || queue.length > 0) return;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };
  const pump = (): void => {
    while (running < options.maxInFlight) {
      const head = queue[0];
      if (head === undefined || conflicts(head.ids)) break;
      queue.shift();
      running += 1;
      for (const id of head.ids) busy.set(id, (busy.get(id) ?? 0) + 1);
      void options
        .run(head.chunk, head.sequence)
        .catch(() => undefined)
        .finally(() => {
          running -= 1;
          for (const id of head.ids) {
            const left = (busy.get(id) ?? 1) - 1;
            if (left === 0) busy.delete(id);
            else busy.set(id, left);
          }
          pump();
          settle();
        });
    }
  };

  return {
    enqueue(chunk) {
      if (chunk.length === 0) return;
      enqueued += 1;
      queue.push({ chunk, ids: new Set(chunk.flatMap(options.idsOf)), sequence: enqueued });
      pump();
    },
    get inFlight() {
      return running;
    },
    get queued() {
      return queue.length;
    },
    get enqueued() {
      return enqueued;
    },
    idle() {
      if (running === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}
