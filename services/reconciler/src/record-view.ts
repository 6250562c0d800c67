import type { DesiredDatabase, ObservedDatabase } from '@driftline/schemas';
import { intern, internResourceSpec, internObject } from './intern.ts';

/**
 * DesiredSpec is what the drift rules compare on the desired side, plus the provider (whose
 * freshness applies to the key). It is interned: keys with the same spec share one frozen object,
 * so a spec costs no memory per key, and an unchanged one compares by reference (see `step`).
 * The rest of a record the reconciler keeps (ordering, provenance) is in KeyState.
 */
export type DesiredSpec = Pick<
  DesiredDatabase,
  'provider' | 'kind' | 'version' | 'replicas' | 'storage' | 'halted' | 'resources'
>;

/** ObservedSpec is what the drift rules compare on the observed side, plus the provider (see DesiredSpec). */
export type ObservedSpec = Pick<
  ObservedDatabase,
  | 'provider'
  | 'kind'
  | 'valid'
  | 'invalidReason'
  | 'version'
  | 'replicas'
  | 'storage'
  | 'halted'
  | 'resources'
>;

/**
 * desiredSpec projects a desired record onto its spec. When the record's spec equals `previous`
 * (the key's spec so far) — most updates change no compared field — `previous` itself is returned:
 * comparing a handful of short strings is cheaper than hashing them into the intern table, and it
 * keeps an unchanged spec identical by reference (see KeyState.differences).
 */
export function desiredSpec(record: DesiredDatabase, previous: DesiredSpec | null): DesiredSpec {
  return previous !== null && sameDesiredSpec(previous, record) ? previous : internDesiredSpec(record);
}

/** observedSpec projects an observed record onto its spec (see desiredSpec). */
export function observedSpec(record: ObservedDatabase, previous: ObservedSpec | null): ObservedSpec {
  return previous !== null && sameObservedSpec(previous, record) ? previous : internObservedSpec(record);
}

const desiredSpecs = new Map<string, DesiredSpec>();
const observedSpecs = new Map<string, ObservedSpec>();

// Field separator and null marker that cannot occur in the values, so distinct specs get distinct ids.
const FS = '\u001f';
const NULL = '\u0000';

function internDesiredSpec(r: DesiredDatabase): DesiredSpec {
  const res = r.resources;
  const id = [
    r.provider,
    r.kind,
    r.version,
    r.replicas,
    r.storage ?? NULL,
    r.halted,
    res.cpuRequest ?? NULL,
    res.cpuLimit ?? NULL,
    res.memoryRequest ?? NULL,
    res.memoryLimit ?? NULL,
  ].join(FS);
  return internObject(desiredSpecs, id, () => ({
    provider: intern(r.provider),
    kind: intern(r.kind),
    version: intern(r.version),
    replicas: r.replicas,
    storage: intern(r.storage),
    halted: r.halted,
    resources: internResourceSpec(r.resources),
  }));
}

function internObservedSpec(r: ObservedDatabase): ObservedSpec {
  const res = r.resources;
  const id = [
    r.provider,
    r.kind,
    r.valid,
    r.invalidReason ?? NULL,
    r.version ?? NULL,
    r.replicas ?? NULL,
    r.storage ?? NULL,
    r.halted ?? NULL,
    res.cpuRequest ?? NULL,
    res.cpuLimit ?? NULL,
    res.memoryRequest ?? NULL,
    res.memoryLimit ?? NULL,
  ].join(FS);
  return internObject(observedSpecs, id, () => ({
    provider: intern(r.provider),
    kind: intern(r.kind),
    valid: r.valid,
    invalidReason: intern(r.invalidReason),
    version: intern(r.version),
    replicas: r.replicas,
    storage: intern(r.storage),
    halted: r.halted,
    resources: internResourceSpec(r.resources),
  }));
}

function sameDesiredSpec(s: DesiredSpec, r: DesiredDatabase): boolean {
  return (
    s.replicas === r.replicas &&
    s.halted === r.halted &&
    s.storage === r.storage &&
    s.version === r.version &&
    s.kind === r.kind &&
    s.provider === r.provider &&
    sameResources(s.resources, r.resources)
  );
}

function sameObservedSpec(s: ObservedSpec, r: ObservedDatabase): boolean {
  return (
    s.valid === r.valid &&
    s.replicas === r.replicas &&
    s.halted === r.halted &&
    s.storage === r.storage &&
    s.version === r.version &&
    s.invalidReason === r.invalidReason &&
    s.kind === r.kind &&
    s.provider === r.provider &&
    sameResources(s.resources, r.resources)
  );
}

function sameResources(a: DesiredDatabase['resources'], b: DesiredDatabase['resources']): boolean {
  return (
    a.cpuRequest === b.cpuRequest &&
    a.cpuLimit === b.cpuLimit &&
    a.memoryRequest === b.memoryRequest &&
    a.memoryLimit === b.memoryLimit
  );
}
