import type { DesiredDatabase, ObservedDatabase, ResourceSpec } from '@driftline/schemas';
import {
  HASH_SEED,
  hashNumber,
  hashString,
  intern,
  internBy,
  internResourceSpec,
  internTable,
} from './intern.ts';

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

const desiredSpecs = internTable<DesiredSpec>();
const observedSpecs = internTable<ObservedSpec>();

function internDesiredSpec(r: DesiredDatabase): DesiredSpec {
  let h = hashString(HASH_SEED, r.provider);
  h = hashString(h, r.kind);
  h = hashString(h, r.version);
  h = hashNumber(h, r.replicas);
  h = hashString(h, r.storage);
  h = hashNumber(h, r.halted);
  return internBy(desiredSpecs, hashResources(h, r.resources), r, sameDesiredSpec, makeDesiredSpec);
}

function internObservedSpec(r: ObservedDatabase): ObservedSpec {
  let h = hashString(HASH_SEED, r.provider);
  h = hashString(h, r.kind);
  h = hashNumber(h, r.valid);
  h = hashString(h, r.invalidReason);
  h = hashString(h, r.version);
  h = hashNumber(h, r.replicas);
  h = hashString(h, r.storage);
  h = hashNumber(h, r.halted);
  return internBy(observedSpecs, hashResources(h, r.resources), r, sameObservedSpec, makeObservedSpec);
}

function hashResources(h: number, res: ResourceSpec): number {
  h = hashString(h, res.cpuRequest);
  h = hashString(h, res.cpuLimit);
  h = hashString(h, res.memoryRequest);
  return hashString(h, res.memoryLimit);
}

function makeDesiredSpec(r: DesiredDatabase): DesiredSpec {
  return {
    provider: intern(r.provider),
    kind: intern(r.kind),
    version: intern(r.version),
    replicas: r.replicas,
    storage: intern(r.storage),
    halted: r.halted,
    resources: internResourceSpec(r.resources),
  };
}

function makeObservedSpec(r: ObservedDatabase): ObservedSpec {
  return {
    provider: intern(r.provider),
    kind: intern(r.kind),
    valid: r.valid,
    invalidReason: intern(r.invalidReason),
    version: intern(r.version),
    replicas: r.replicas,
    storage: intern(r.storage),
    halted: r.halted,
    resources: internResourceSpec(r.resources),
  };
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

function sameResources(a: ResourceSpec, b: ResourceSpec): boolean {
  return (
    a.cpuRequest === b.cpuRequest &&
    a.cpuLimit === b.cpuLimit &&
    a.memoryRequest === b.memoryRequest &&
    a.memoryLimit === b.memoryLimit
  );
}
