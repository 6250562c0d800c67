import type { DesiredDatabase, ObservedDatabase } from '@driftline/schemas';
import { intern, internResourceSpec } from './intern.ts';

/**
 * DesiredView is the part of a desired record the reconciler keeps per key: what the drift rules
 * compare, what orders records (generation, clusterTime), and what events report (provenance,
 * correlation id). Identity (namespace, kind, name) is read from the key when an event is made.
 */
export type DesiredView = Pick<
  DesiredDatabase,
  | 'provider'
  | 'kind'
  | 'version'
  | 'replicas'
  | 'storage'
  | 'halted'
  | 'resources'
  | 'generation'
  | 'clusterTime'
  | 'sourceTimestampMs'
  | 'correlationId'
>;

/** ObservedView is the part of an observed record the reconciler keeps per key (see DesiredView). */
export type ObservedView = Pick<
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
  | 'generation'
  | 'resourceVersion'
  | 'uid'
  | 'sourceTimestampMs'
  | 'observedAtMs'
  | 'correlationId'
>;

/**
 * desiredView projects a desired record onto what the state keeps, sharing repeated strings
 * (provider, kind, version, quantities) through the intern tables. Values are unchanged.
 */
export function desiredView(record: DesiredDatabase): DesiredView {
  return {
    provider: intern(record.provider),
    kind: intern(record.kind),
    version: intern(record.version),
    replicas: record.replicas,
    storage: intern(record.storage),
    halted: record.halted,
    resources: internResourceSpec(record.resources),
    generation: record.generation,
    clusterTime: record.clusterTime,
    sourceTimestampMs: record.sourceTimestampMs,
    correlationId: record.correlationId,
  };
}

/** observedView projects an observed record onto what the state keeps (see desiredView). */
export function observedView(record: ObservedDatabase): ObservedView {
  return {
    provider: intern(record.provider),
    kind: intern(record.kind),
    valid: record.valid,
    invalidReason: record.invalidReason,
    version: intern(record.version),
    replicas: record.replicas,
    storage: intern(record.storage),
    halted: record.halted,
    resources: internResourceSpec(record.resources),
    generation: record.generation,
    resourceVersion: record.resourceVersion,
    uid: record.uid,
    sourceTimestampMs: record.sourceTimestampMs,
    observedAtMs: record.observedAtMs,
    correlationId: record.correlationId,
  };
}
