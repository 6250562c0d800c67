/**
 * ObjectMeta is the part of `metadata` the simulated API server owns and relies on. Other fields a
 * client sends are kept as they are.
 */
export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  generation: number;
  resourceVersion: string;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/**
 * KubeObject is a stored custom resource. `spec` and `status` are deliberately `unknown`: the store
 * accepts malformed objects (a fault the fleet injects on purpose) and never validates them.
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [field: string]: unknown;
}

/** WatchEventType is the `type` of a Kubernetes watch event. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** objectKey returns the store key `namespace/name`; keys sort the way the API server lists. */
export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** isRecord is true for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** deepEqual compares two JSON values structurally (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const aKeys = Object.keys(a).filter((k) => a[k] !== undefined);
    const bKeys = Object.keys(b).filter((k) => b[k] !== undefined);
    if (aKeys.length !== bKeys.length) return false;
    return aKeys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** DeepReadonly makes every nested property and array readonly. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * StoredObject is an object as the store holds it, handed out without copying: the type forbids
 * mutation because the same object is shared by the store, its history, lists and watches.
 */
export type StoredObject = DeepReadonly<KubeObject>;

const serialized = new WeakMap<object, string>();

/**
 * jsonOf returns the JSON text of a stored object, computed once: stored objects never change, so
 * every list page and every watch that sends the object reuses the same string.
 */
export function jsonOf(object: StoredObject | KubeObject): string {
  let json = serialized.get(object);
  if (json === undefined) {
    json = JSON.stringify(object);
    serialized.set(object, json);
  }
  return json;
}

/** cloneJson deep-copies a JSON value, so callers never share mutable state with the store. */
export function cloneJson<T>(value: T): T {
  return structuredClone(value);
}
