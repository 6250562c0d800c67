import { DriftlineError } from '@driftline/shared/errors';
import type {
  KubeListWatchPort,
  KubeObject,
  ListOptions,
  ListPage,
  WatchEvent,
  WatchHandle,
  WatchOptions,
} from '../ports.ts';

interface HistoryEntry {
  readonly rv: number;
  readonly plural: string;
  readonly event: WatchEvent;
}

interface ActiveWatch {
  readonly plural: string;
  readonly namespace: string | undefined;
  readonly queue: WatchEvent[];
  wake: (() => void) | undefined;
  ending: { error: unknown } | undefined;
}

/** GoneError builds the error a port reports for HTTP 410 Gone (`K8S_GONE`). */
export function goneError(message = 'too old resource version'): DriftlineError {
  return new DriftlineError('K8S_GONE', message, { details: { status: 410 } });
}

function metadataOf(object: KubeObject): Record<string, unknown> {
  const metadata = object['metadata'];
  return typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : {};
}

/**
 * FakeKube is an in-memory `KubeListWatchPort`: an API server for any number of kinds with a
 * global resourceVersion counter, paginated LIST from a snapshot, WATCH replaying a bounded event
 * history (410 Gone when asked for a resourceVersion older than the window) and then live events,
 * bookmarks on demand, and fault injection (refused requests, dropped or failed streams).
 * It records every request so tests can assert which resourceVersion a watch started from.
 */
export class FakeKube implements KubeListWatchPort {
  readonly listRequests: { plural: string; options: ListOptions }[] = [];
  readonly watchRequests: { plural: string; options: WatchOptions }[] = [];
  /** goneAs decides how a too-old watch is refused: an HTTP 410, or a 200 with an ERROR event. */
  goneAs: 'status' | 'event' = 'event';
  #rv = 100;
  #objects = new Map<string, Map<string, KubeObject>>();
  #history: HistoryEntry[] = [];
  #oldestRv = 100;
  #snapshots = new Map<string, { rv: number; items: KubeObject[] }>();
  #watches = new Set<ActiveWatch>();
  #listFaults: unknown[] = [];
  #watchFaults: unknown[] = [];

  /** resourceVersion is the current (latest) resourceVersion. */
  get resourceVersion(): string {
    return String(this.#rv);
  }

  /** openWatches is how many watch streams are open now. */
  get openWatches(): number {
    return this.#watches.size;
  }

  #table(plural: string): Map<string, KubeObject> {
    let table = this.#objects.get(plural);
    if (table === undefined) {
      table = new Map();
      this.#objects.set(plural, table);
    }
    return table;
  }

  #record(plural: string, type: WatchEvent['type'], object: KubeObject): void {
    const event: WatchEvent = { type, object };
    this.#history.push({ rv: this.#rv, plural, event });
    const namespace = metadataOf(object)['namespace'];
    for (const watch of this.#watches) {
      if (watch.plural !== plural) continue;
      if (watch.namespace !== undefined && watch.namespace !== namespace) continue;
      watch.queue.push(event);
      watch.wake?.();
    }
  }

  /** upsert creates or replaces an object (ADDED or MODIFIED) and returns it with its new rv. */
  upsert(plural: string, object: KubeObject): KubeObject {
    const metadata = metadataOf(object);
    const id = `${String(metadata['namespace'] ?? '')}/${String(metadata['name'] ?? '')}`;
    this.#rv += 1;
    const stored: KubeObject = { ...object, metadata: { ...metadata, resourceVersion: String(this.#rv) } };
    const table = this.#table(plural);
    const type = table.has(id) ? 'MODIFIED' : 'ADDED';
    table.set(id, stored);
    this.#record(plural, type, stored);
    return stored;
  }

  /** remove deletes an object (DELETED); false when it did not exist. */
  remove(plural: string, namespace: string, name: string): boolean {
    const table = this.#table(plural);
    const existing = table.get(`${namespace}/${name}`);
    if (existing === undefined) return false;
    table.delete(`${namespace}/${name}`);
    this.#rv += 1;
    this.#record(plural, 'DELETED', {
      ...existing,
      metadata: { ...metadataOf(existing), resourceVersion: String(this.#rv) },
    });
    return true;
  }

  /** compact forgets the event history: watches from any earlier resourceVersion get 410. */
  compact(): void {
    this.#history = [];
    this.#oldestRv = this.#rv;
    this.#snapshots.clear();
  }

  /** bookmark sends a BOOKMARK at the current resourceVersion to every open watch. */
  bookmark(): void {
    for (const watch of this.#watches) {
      watch.queue.push({
        type: 'BOOKMARK',
        object: { kind: 'MongoDB', metadata: { resourceVersion: String(this.#rv) } },
      });
      watch.wake?.();
    }
  }

  /** sendError sends an ERROR event (a metav1.Status with `code`) to every open watch. */
  sendError(code: number, reason: string): void {
    for (const watch of this.#watches) {
      watch.queue.push({ type: 'ERROR', object: { kind: 'Status', code, reason } });
      watch.wake?.();
    }
  }

  /** dropWatches ends every open watch: cleanly (`error` undefined) or with `error`. */
  dropWatches(error?: unknown): void {
    for (const watch of this.#watches) {
      watch.ending = { error };
      watch.wake?.();
    }
  }

  /** failNextList makes the next LIST request reject with `error`. */
  failNextList(error: unknown): void {
    this.#listFaults.push(error);
  }

  /** failNextWatch makes the next WATCH request be refused with `error`. */
  failNextWatch(error: unknown): void {
    this.#watchFaults.push(error);
  }

  async list(plural: string, options: ListOptions, _signal?: AbortSignal): Promise<ListPage> {
    this.listRequests.push({ plural, options });
    await Promise.resolve();
    if (this.#listFaults.length > 0) throw this.#listFaults.shift();
    let snapshot: { rv: number; items: KubeObject[] };
    let offset = 0;
    if (options.continue === undefined) {
      const items = [...this.#table(plural).values()].filter(
        (o) => options.namespace === undefined || metadataOf(o)['namespace'] === options.namespace,
      );
      snapshot = { rv: this.#rv, items };
    } else {
      const [token, from] = options.continue.split(':');
      const found = this.#snapshots.get(token ?? '');
      if (found === undefined) throw goneError('continue token expired');
      snapshot = found;
      offset = Number(from);
    }
    const items = snapshot.items.slice(offset, offset + options.limit);
    const next = offset + options.limit;
    if (next >= snapshot.items.length) return { items, resourceVersion: String(snapshot.rv) };
    const token = `s${snapshot.rv}-${this.listRequests.length}`;
    this.#snapshots.set(token, snapshot);
    return { items, resourceVersion: String(snapshot.rv), continue: `${token}:${next}` };
  }

  async watch(
    plural: string,
    options: WatchOptions,
    onEvent: (event: WatchEvent) => void | Promise<void>,
    _signal?: AbortSignal,
  ): Promise<WatchHandle> {
    this.watchRequests.push({ plural, options });
    await Promise.resolve();
    if (this.#watchFaults.length > 0) throw this.#watchFaults.shift();
    const from = Number(options.resourceVersion);
    const watch: ActiveWatch = {
      plural,
      namespace: options.namespace,
      queue: [],
      wake: undefined,
      ending: undefined,
    };
    if (from < this.#oldestRv) {
      if (this.goneAs === 'status') throw goneError();
      watch.queue.push({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    } else {
      for (const entry of this.#history) {
        if (entry.rv <= from || entry.plural !== plural) continue;
        const namespace = metadataOf(entry.event.object)['namespace'];
        if (options.namespace !== undefined && options.namespace !== namespace) continue;
        watch.queue.push(entry.event);
      }
    }
    this.#watches.add(watch);
    let aborted = false;
    const pump = async (): Promise<void> => {
      try {
        for (;;) {
          if (aborted) return;
          const event = watch.queue.shift();
          if (event !== undefined) {
            await onEvent(event);
            continue;
          }
          if (watch.ending !== undefined) {
            if (watch.ending.error !== undefined) throw watch.ending.error;
            return;
          }
          await new Promise<void>((resolve) => (watch.wake = resolve));
          watch.wake = undefined;
        }
      } finally {
        this.#watches.delete(watch);
      }
    };
    const done = pump();
    return {
      done,
      abort: () => {
        aborted = true;
        watch.wake?.();
      },
    };
  }
}
