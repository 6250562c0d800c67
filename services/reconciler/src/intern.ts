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
 * internObject returns the shared, frozen object registered under `id` in `table`, making it with
 * `make` the first time. `id` must determine the object's value (the caller serialises every field
 * into it). Once the table is full, a new frozen object is returned unshared — correct, not shared.
 */
export function internObject<T extends object>(table: Map<string, T>, id: string, make: () => T): T {
  const known = table.get(id);
  if (known !== undefined) return known;
  const value = Object.freeze(make());
  if (table.size < INTERN_LIMIT) table.set(id, value);
  return value;
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
