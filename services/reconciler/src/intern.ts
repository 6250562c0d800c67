import type { ResourceSpec } from '@driftline/schemas';

/**
 * INTERN_LIMIT bounds each intern table. Interned values are the low-cardinality strings of a
 * fleet (kinds, versions, quantities, providers): a few hundred distinct values. Once a table is
 * full, new values pass through un-interned — correct, just not shared — so a flood of distinct
 * values can neither grow the table without bound nor churn it.
 */
export const INTERN_LIMIT = 65_536;

const strings = new Map<string, string>();
const resourceSpecs = new Map<string, ResourceSpec>();

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

// Separator that cannot occur in a quantity; `\u0000` stands for null.
const SEP = '\u001f';

/**
 * internResourceSpec returns a shared, frozen ResourceSpec equal to `spec` (or a frozen copy once
 * the table is full). Callers must not mutate it — it is shared by every key with the same values.
 */
export function internResourceSpec(spec: ResourceSpec): ResourceSpec {
  const id = `${spec.cpuRequest ?? '\u0000'}${SEP}${spec.cpuLimit ?? '\u0000'}${SEP}${spec.memoryRequest ?? '\u0000'}${SEP}${spec.memoryLimit ?? '\u0000'}`;
  const known = resourceSpecs.get(id);
  if (known !== undefined) return known;
  const copy: ResourceSpec = Object.freeze({
    cpuRequest: intern(spec.cpuRequest),
    cpuLimit: intern(spec.cpuLimit),
    memoryRequest: intern(spec.memoryRequest),
    memoryLimit: intern(spec.memoryLimit),
  });
  if (resourceSpecs.size < INTERN_LIMIT) resourceSpecs.set(id, copy);
  return copy;
}
