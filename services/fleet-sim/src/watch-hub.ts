import { jsonOf, type KubeObject } from './kube-object.ts';
import type { Selector } from './selector.ts';
import type { ClusterStore, StoreEvent } from './store.ts';

/** WatchFilter is what a watch asked for: one kind, optionally one namespace and a selector. */
export interface WatchFilter {
  readonly plural: string;
  readonly namespace: string | undefined;
  readonly selector: Selector | undefined;
}

/** WatchSink receives the serialized events a watch matches, in revision order. */
export interface WatchSink {
  readonly filter: WatchFilter;
  /** deliver gets one newline-terminated JSON watch event. Must not throw. */
  deliver(line: string): void;
  /** close ends the stream: `end` gracefully (the client sees a clean EOF), `drop` by destroying the socket. */
  close(mode: 'end' | 'drop'): void;
}

/** eventLine serializes a watch event as the API server streams it: one JSON object and a newline. */
export function eventLine(type: string, object: unknown): string {
  return `${JSON.stringify({ type, object })}\n`;
}

/** storedEventLine is eventLine for a stored object, reusing its cached JSON text. */
export function storedEventLine(type: string, object: KubeObject): string {
  return `{"type":"${type}","object":${jsonOf(object)}}\n`;
}

/** matchesFilter tells whether an object is visible to a watch or list with `filter`. */
export function matchesFilter(filter: WatchFilter, plural: string, object: KubeObject): boolean {
  if (plural !== filter.plural) return false;
  if (filter.namespace !== undefined && object.metadata.namespace !== filter.namespace) return false;
  return filter.selector === undefined || filter.selector(object);
}

/**
 * WatchHub fans a cluster's store events out to its open watches. Each event is serialized once,
 * however many watches receive it, and delivered synchronously inside the store write, so a watch
 * registered in the same tick as its initial replay can never miss or repeat an event.
 */
export class WatchHub {
  readonly #byPlural = new Map<string, Set<WatchSink>>();
  readonly #unsubscribe: () => void;
  #size = 0;

  constructor(store: ClusterStore) {
    this.#unsubscribe = store.subscribe((event) => this.#publish(event));
  }

  /** size is the number of open watches. */
  get size(): number {
    return this.#size;
  }

  /** add registers a watch; returns the function that unregisters it (idempotent). */
  add(sink: WatchSink): () => void {
    let sinks = this.#byPlural.get(sink.filter.plural);
    if (sinks === undefined) {
      sinks = new Set();
      this.#byPlural.set(sink.filter.plural, sinks);
    }
    sinks.add(sink);
    this.#size += 1;
    const registered = sinks;
    return () => {
      if (registered.delete(sink)) this.#size -= 1;
    };
  }

  /** closeAll ends or drops every open watch (a dropped-connection fault, or shutdown). */
  closeAll(mode: 'end' | 'drop'): number {
    const all = [...this.#byPlural.values()].flatMap((sinks) => [...sinks]);
    for (const sink of all) sink.close(mode);
    return all.length;
  }

  /** dispose stops listening to the store. */
  dispose(): void {
    this.#unsubscribe();
  }

  #publish(event: StoreEvent): void {
    const sinks = this.#byPlural.get(event.plural);
    if (sinks === undefined || sinks.size === 0) return;
    let line: string | undefined;
    for (const sink of sinks) {
      if (!matchesFilter(sink.filter, event.plural, event.object)) continue;
      line ??= storedEventLine(event.type, event.object);
      sink.deliver(line);
    }
  }
}
