import type { ResourceSpec } from '@driftline/schemas';

/**
 * INTERN_LIMIT bounds each intern table. Interned values are the low-cardinality strings of a
 * fleet (kinds, versions, quantities, providers): a few hundred distinct values. Once a table is
 * full, new values pass through un-interned — correct, just not shared — so a flood of distinct
 * values can neither grow the table without bound nor churn it.
 */
export const INTERN_LIMIT = 65_536;

const strings = new Map<string, string>();
const resourceSpecs: Level = new Map();

/**
 * intern returns a canonical instance of `value` (equal text, shared across records), or `value`
 * itself once the table is full. Decoded records carry a fresh copy of every string; sharing the
 * repeated ones keeps the reconciler's per-key state small. Pure in effect: the result always
 * equals the argument.
 */
export function intern<T extends string | null>(value: T): T {
  if (value === null) return value;
  const known = strings.get(value);
  if (known !== undefined) return known as T;
  if (strings.size < INTERN_LIMIT) strings.set(value, value);
  return value;
}

/**
 * internResourceSpec returns a shared, frozen ResourceSpec equal to `spec` (or a frozen copy once
 * the table is full). Callers must not mutate it — it is shared by every key with the same values.
 * Looked up through one nested map level per field, so no lookup key is built per record.
 */
export function internResourceSpec(spec: ResourceSpec): ResourceSpec {
  const byCpuLimit = level(resourceSpecs, spec.cpuRequest);
  const byMemoryRequest = byCpuLimit === null ? null : level(byCpuLimit, spec.cpuLimit);
  const byMemoryLimit = byMemoryRequest === null ? null : level(byMemoryRequest, spec.memoryRequest);
  const known = byMemoryLimit?.get(spec.memoryLimit);
  if (known !== undefined) return known as ResourceSpec;
  const copy: ResourceSpec = Object.freeze({
    cpuRequest: intern(spec.cpuRequest),
    cpuLimit: intern(spec.cpuLimit),
    memoryRequest: intern(spec.memoryRequest),
    memoryLimit: intern(spec.memoryLimit),
  });
  if (byMemoryLimit !== null && resourceSpecCount < INTERN_LIMIT) {
    byMemoryLimit.set(copy.memoryLimit, copy);
    resourceSpecCount++;
  }
  return copy;
}

/**
 * InternTable holds shared, frozen objects by a hash of their value; a bucket lists the objects
 * whose values share that hash (collisions are told apart by the caller's `same`).
 */
export interface InternTable<T> {
  readonly buckets: Map<number, T[]>;
  size: number;
}

/** internTable makes an empty InternTable. */
export function internTable<T>(): InternTable<T> {
  return { buckets: new Map(), size: 0 };
}

/**
 * internBy returns the shared, frozen object of `table` equal to `source` — one with the same
 * `hash` for which `same(object, source)` holds — making it with `make` the first time. `hash`
 * must be a function of exactly what `same` compares. Looking up by a hash of the fields, rather
 * than a text id joined from them, builds no string per lookup. Once the table holds INTERN_LIMIT
 * objects, a new frozen object is returned unshared — correct, not shared.
 */
export function internBy<T extends object, S>(
  table: InternTable<T>,
  hash: number,
  source: S,
  same: (object: T, source: S) => boolean,
  make: (source: S) => T,
): T {
  const bucket = table.buckets.get(hash);
  if (bucket !== undefined) for (const object of bucket) if (same(object, source)) return object;
  const value = Object.freeze(make(source));
  if (table.size < INTERN_LIMIT) {
    if (bucket === undefined) table.buckets.set(hash, [value]);
    else bucket.push(value);
    table.size++;
  }
  return value;
}

const FNV_PRIME = 0x01000193;
/** HASH_SEED starts a hash (the FNV-1a offset basis). */
export const HASH_SEED = 0x811c9dc5 | 0;

/** hashString folds `value` (its UTF-16 code units, then its length as a separator; null apart) into the 32-bit hash `h`. */
export function hashString(h: number, value: string | null): number {
  if (value === null) return Math.imul(h ^ 0x7fffffff, FNV_PRIME);
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), FNV_PRIME);
  return Math.imul(h ^ value.length, FNV_PRIME);
}

/** hashNumber folds `value` (an integer or null; a boolean as 0/1) into the 32-bit hash `h`. */
export function hashNumber(h: number, value: number | boolean | null): number {
  return Math.imul(h ^ (value === null ? 0x7ffffffe : Number(value) | 0), FNV_PRIME);
}

type Level = Map<string | null, Level | ResourceSpec>;
let resourceSpecCount = 0;

function level(parent: Level, value: string | null): Level | null {
  const known = parent.get(value);
  if (known instanceof Map) return known;
  if (resourceSpecCount >= INTERN_LIMIT) return null;
  const next: Level = new Map();
  parent.set(intern(value), next);
  return next;
}
