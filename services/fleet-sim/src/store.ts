import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.ts';
import { mergeWrite, type WriteTarget } from './generation.ts';
import { EventHistory, type HistorySince } from './history.ts';
import { deepEqual, objectKey, type KubeObject, type ObjectMeta } from './kube-object.ts';
import { alreadyExists, conflict, failure, notFound, type KubeStatus } from './status.ts';

/**
 * CHANGED_AT_ANNOTATION carries the wall time (epoch ms) of the object's last write, so benchmarks
 * can measure the latency from a change in the fleet to its record downstream.
 */
export const CHANGED_AT_ANNOTATION = 'fleet-sim.driftline.io/changed-at-ms';

/** StoreEvent is one change at one revision, retained in the history window and fanned out to watches. */
export interface StoreEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly revision: number;
  readonly plural: string;
  readonly key: string;
  /** The object after the change; for DELETED the last state, stamped with the deletion revision. */
  readonly object: KubeObject;
  /** The object before the change (undefined for ADDED): lets a list be served at an older revision. */
  readonly previous: KubeObject | undefined;
}

/** StoreResult is a written object or the Status the API server would answer with. */
export type StoreResult =
  { readonly ok: true; readonly object: KubeObject } | { readonly ok: false; readonly status: KubeStatus };

/** Snapshot is the sorted set of one kind's objects as of one revision. */
export interface Snapshot {
  readonly revision: number;
  /** Keys (`namespace/name`) in ascending order, the order the API server lists in. */
  readonly keys: readonly string[];
  get(key: string): KubeObject | undefined;
}

/** ObjectInput is what a create accepts: an object whose server-owned metadata may be missing. */
export interface ObjectInput {
  apiVersion: string;
  kind: string;
  metadata: Partial<ObjectMeta> & { name: string; namespace: string };
  spec?: unknown;
  status?: unknown;
  [field: string]: unknown;
}

/** ClusterStoreOptions configures a ClusterStore. */
export interface ClusterStoreOptions {
  /** Events retained for watches and consistent lists; older revisions answer 410 Gone. */
  readonly historyWindow: number;
  readonly clock: Clock;
  readonly newUid?: () => string;
}

/**
 * ClusterStore is one simulated cluster's etcd: objects per kind, a single monotonically increasing
 * revision shared by all kinds (every write takes the next one, so resourceVersions order all
 * changes of the cluster), and a bounded history window of events. It is synchronous and never
 * mutates an object once stored, so events and snapshots can share objects safely. Listeners run
 * synchronously after each write, in revision order.
 */
export class ClusterStore {
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #sortedKeys = new Map<string, string[]>();
  readonly #history: EventHistory<StoreEvent>;
  readonly #listeners = new Set<(event: StoreEvent) => void>();
  readonly #clock: Clock;
  readonly #newUid: () => string;
  #revision = 0;

  constructor(options: ClusterStoreOptions) {
    this.#history = new EventHistory<StoreEvent>(options.historyWindow);
    this.#clock = options.clock;
    this.#newUid = options.newUid ?? randomUUID;
  }

  /** revision is the revision of the latest write (0 before any). */
  get revision(): number {
    return this.#revision;
  }

  /** compactedThrough is the oldest revision a watch or consistent list can still start from. */
  get compactedThrough(): number {
    return this.#history.compactedThrough;
  }

  /** subscribe registers a listener for every future event; returns the unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** get returns the stored object, or undefined. The result must not be mutated. */
  get(plural: string, namespace: string, name: string): KubeObject | undefined {
    return this.#objects.get(plural)?.get(objectKey(namespace, name));
  }

  /** count returns how many objects of a kind (or of all kinds) are stored. */
  count(plural?: string): number {
    if (plural !== undefined) return this.#objects.get(plural)?.size ?? 0;
    let total = 0;
    for (const objects of this.#objects.values()) total += objects.size;
    return total;
  }

  /** namespaces returns every namespace holding at least one object. */
  namespaces(): Set<string> {
    const names = new Set<string>();
    for (const objects of this.#objects.values()) {
      for (const object of objects.values()) names.add(object.metadata.namespace);
    }
    return names;
  }

  /** create stores a new object with fresh uid, generation 1 and the next revision; 409 if it exists. */
  create(plural: string, input: ObjectInput): StoreResult {
    const { name, namespace } = input.metadata;
    if (!name) return { ok: false, status: failure('Invalid', 'metadata.name: Required value', { plural }) };
    const key = objectKey(namespace, name);
    const objects = this.#kind(plural);
    if (objects.has(key)) return { ok: false, status: alreadyExists(plural, name) };
    const revision = this.#revision + 1;
    const nowMs = this.#clock.now();
    const metadata: ObjectMeta = {
      ...input.metadata,
      name,
      namespace,
      uid: this.#newUid(),
      generation: 1,
      resourceVersion: String(revision),
      creationTimestamp: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      annotations: { ...input.metadata.annotations, [CHANGED_AT_ANNOTATION]: String(nowMs) },
    };
    const object: KubeObject = { ...input, metadata };
    objects.set(key, object);
    this.#sortedKeys.delete(plural);
    this.#commit({ type: 'ADDED', revision, plural, key, object, previous: undefined });
    return { ok: true, object };
  }

  /**
   * update replaces an object through `target` (see WriteTarget). When the incoming object carries a
   * `metadata.resourceVersion`, it must equal the stored one (optimistic concurrency) or the answer
   * is 409 Conflict. A write that changes nothing takes no revision and emits no event (the API
   * server skips no-op writes too); the stored object is returned.
   */
  update(plural: string, incoming: KubeObject, target: WriteTarget): StoreResult {
    const { name, namespace } = incoming.metadata;
    const key = objectKey(namespace, name);
    const objects = this.#kind(plural);
    const existing = objects.get(key);
    if (existing === undefined) return { ok: false, status: notFound(plural, name) };
    const expected = incoming.metadata.resourceVersion;
    if (expected && expected !== existing.metadata.resourceVersion) {
      return { ok: false, status: conflict(plural, name) };
    }
    const merged = mergeWrite(existing, incoming, target);
    merged.metadata.resourceVersion = existing.metadata.resourceVersion;
    merged.metadata.annotations = existing.metadata.annotations;
    if (target !== 'status') merged.metadata.annotations = withoutChangedAt(incoming.metadata.annotations);
    if (isUnchanged(existing, merged)) return { ok: true, object: existing };
    const revision = this.#revision + 1;
    merged.metadata.resourceVersion = String(revision);
    merged.metadata.annotations = {
      ...merged.metadata.annotations,
      [CHANGED_AT_ANNOTATION]: String(this.#clock.now()),
    };
    objects.set(key, merged);
    this.#commit({ type: 'MODIFIED', revision, plural, key, object: merged, previous: existing });
    return { ok: true, object: merged };
  }

  /** delete removes an object; with `precondition` it must match the stored resourceVersion (409). */
  delete(plural: string, namespace: string, name: string, precondition?: string): StoreResult {
    const key = objectKey(namespace, name);
    const objects = this.#kind(plural);
    const existing = objects.get(key);
    if (existing === undefined) return { ok: false, status: notFound(plural, name) };
    if (precondition && precondition !== existing.metadata.resourceVersion) {
      return { ok: false, status: conflict(plural, name) };
    }
    const revision = this.#revision + 1;
    const object: KubeObject = {
      ...existing,
      metadata: { ...existing.metadata, resourceVersion: String(revision) },
    };
    objects.delete(key);
    this.#sortedKeys.delete(plural);
    this.#commit({ type: 'DELETED', revision, plural, key, object, previous: existing });
    return { ok: true, object };
  }

  /** eventsSince returns every event after `revision` (all kinds), or expired when compacted. */
  eventsSince(revision: number): HistorySince<StoreEvent> {
    return this.#history.since(revision);
  }

  /**
   * snapshot returns a kind's objects as of `revision` (default: now). An older revision is
   * rebuilt by rolling back the retained events after it; when those were compacted it is expired.
   */
  snapshot(plural: string, revision = this.#revision): Snapshot | 'expired' {
    const current = this.#kind(plural);
    const currentKeys = this.#keysOf(plural);
    if (revision >= this.#revision) {
      return { revision: this.#revision, keys: currentKeys, get: (key) => current.get(key) };
    }
    const since = this.#history.since(revision);
    if (since.expired) return 'expired';
    // The first event after `revision` for a key holds the key's state at `revision` in `previous`.
    const rolledBack = new Map<string, KubeObject | undefined>();
    for (const event of since.events) {
      if (event.plural === plural && !rolledBack.has(event.key)) rolledBack.set(event.key, event.previous);
    }
    const get = (key: string) => (rolledBack.has(key) ? rolledBack.get(key) : current.get(key));
    const keys = [...new Set([...currentKeys, ...rolledBack.keys()])]
      .filter((key) => get(key) !== undefined)
      .sort(compareKeys);
    return { revision, keys, get };
  }

  /** compact drops the whole history window: any request from an older revision now gets 410. */
  compact(): void {
    this.#history.compact(this.#revision);
  }

  #commit(event: StoreEvent): void {
    this.#revision = event.revision;
    this.#history.append(event);
    for (const listener of this.#listeners) listener(event);
  }

  #kind(plural: string): Map<string, KubeObject> {
    let objects = this.#objects.get(plural);
    if (objects === undefined) {
      objects = new Map();
      this.#objects.set(plural, objects);
    }
    return objects;
  }

  #keysOf(plural: string): string[] {
    let keys = this.#sortedKeys.get(plural);
    if (keys === undefined) {
      keys = [...this.#kind(plural).keys()].sort(compareKeys);
      this.#sortedKeys.set(plural, keys);
    }
    return keys;
  }
}

/** compareKeys orders keys by code unit, as etcd orders its byte keys. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function withoutChangedAt(annotations: Record<string, string> | undefined): Record<string, string> {
  const { [CHANGED_AT_ANNOTATION]: _dropped, ...rest } = annotations ?? {};
  return rest;
}

function isUnchanged(existing: KubeObject, merged: KubeObject): boolean {
  const strip = (o: KubeObject) => ({
    ...o,
    metadata: { ...o.metadata, annotations: withoutChangedAt(o.metadata.annotations) },
  });
  return deepEqual(strip(existing), strip(merged));
}
