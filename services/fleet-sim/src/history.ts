/** Revisioned is anything stamped with the cluster revision it happened at. */
export interface Revisioned {
  readonly revision: number;
}

/** HistorySince is the answer to "what happened after revision N": the events, or `expired`. */
export type HistorySince<T> = { readonly expired: false; readonly events: T[] } | { readonly expired: true };

/**
 * EventHistory is the bounded window of recent events, like the API server's watch cache over
 * etcd's compacted log. It keeps at most `capacity` events in a ring buffer; once an event falls out
 * (or `compact()` is called) a watch or a consistent list from a revision before it can no longer be
 * served and gets 410 Gone. Events must be appended in increasing revision order.
 */
export class EventHistory<T extends Revisioned> {
  readonly capacity: number;
  readonly #ring: (T | undefined)[];
  #start = 0;
  #size = 0;
  #compactedThrough = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`EventHistory capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.#ring = new Array<T | undefined>(capacity);
  }

  /** size is the number of retained events. */
  get size(): number {
    return this.#size;
  }

  /**
   * compactedThrough is the highest revision whose events are no longer retained; a request from a
   * revision `>= compactedThrough` can be served, an older one is expired.
   */
  get compactedThrough(): number {
    return this.#compactedThrough;
  }

  /** append retains an event, evicting the oldest one when the window is full. */
  append(event: T): void {
    if (this.#size === this.capacity) {
      const evicted = this.#ring[this.#start];
      if (evicted !== undefined) this.#compactedThrough = evicted.revision;
      this.#ring[this.#start] = event;
      this.#start = (this.#start + 1) % this.capacity;
      return;
    }
    this.#ring[(this.#start + this.#size) % this.capacity] = event;
    this.#size += 1;
  }

  /**
   * since returns, in revision order, every retained event with a revision greater than
   * `revision`, or `expired` when some of them were already dropped.
   */
  since(revision: number): HistorySince<T> {
    if (revision < this.#compactedThrough) return { expired: true };
    // Binary search the first event with revision > `revision`; retained revisions are ascending.
    let lo = 0;
    let hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#at(mid).revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    const events: T[] = [];
    for (let i = lo; i < this.#size; i += 1) events.push(this.#at(i));
    return { expired: false, events };
  }

  /** compact drops every retained event, so only requests from `revision` onwards can be served. */
  compact(revision: number): void {
    this.#ring.fill(undefined);
    this.#start = 0;
    this.#size = 0;
    this.#compactedThrough = Math.max(this.#compactedThrough, revision);
  }

  #at(index: number): T {
    const event = this.#ring[(this.#start + index) % this.capacity];
    if (event === undefined) throw new RangeError(`EventHistory index ${index} out of range`);
    return event;
  }
}
