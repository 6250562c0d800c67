/**
 * BoundedQueue is a FIFO with a fixed capacity between one provider's reflectors and its
 * publishing loop. `push` waits while the queue is full (back-pressure: the reflector stops
 * reading its watch stream, the API server's TCP window fills), so memory stays bounded whatever
 * the provider sends. `take(max)` waits for at least one item and returns up to `max`, in order;
 * it returns `undefined` once the queue is closed and empty. `push` after `close` rejects.
 */
export class BoundedQueue<T> {
  readonly capacity: number;
  #items: T[] = [];
  #closed = false;
  #notEmpty: (() => void)[] = [];
  #notFull: (() => void)[] = [];

  constructor(capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be at least 1');
    this.capacity = capacity;
  }

  /** depth is the number of items waiting. */
  get depth(): number {
    return this.#items.length;
  }

  async push(item: T): Promise<void> {
    while (this.#items.length >= this.capacity && !this.#closed) {
      await new Promise<void>((resolve) => this.#notFull.push(resolve));
    }
    if (this.#closed) throw new Error('queue closed');
    this.#items.push(item);
    this.#notEmpty.shift()?.();
  }

  async take(max: number): Promise<T[] | undefined> {
    while (this.#items.length === 0) {
      if (this.#closed) return undefined;
      await new Promise<void>((resolve) => this.#notEmpty.push(resolve));
    }
    const batch = this.#items.splice(0, max);
    for (const wake of this.#notFull.splice(0)) wake();
    return batch;
  }

  /** close lets `take` drain what is left, then return `undefined`; waiting pushers reject. */
  close(): void {
    this.#closed = true;
    for (const wake of this.#notEmpty.splice(0)) wake();
    for (const wake of this.#notFull.splice(0)) wake();
  }
}
