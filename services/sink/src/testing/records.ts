import type { DriftEvent, ObservedDatabase, Operation } from '@driftline/schemas';

// Builders for the sink's unit and integration tests: valid records for a key, with overrides.

/** SINK_TEST_KEY is the database key the builders use unless told otherwise. */
export const SINK_TEST_KEY = 'prov-a/team-1/MongoDB/orders';

function parts(key: string): { provider: string; namespace: string; kind: string; name: string } {
  const [provider = 'prov-a', namespace = 'team-1', kind = 'MongoDB', name = 'orders'] = key.split('/');
  return { provider, namespace, kind, name };
}

const noResources = { cpuRequest: null, cpuLimit: null, memoryRequest: null, memoryLimit: null };

/** operationRecord builds a HorizontalScaling operation for `key` with `overrides` applied. */
export function operationRecord(overrides: Partial<Operation> = {}, key = SINK_TEST_KEY): Operation {
  const operationId = overrides.operationId ?? `op-${key}-g${overrides.desiredGeneration ?? 2}`;
  return {
    operationId,
    key,
    ...parts(key),
    type: 'HorizontalScaling',
    opsRequestName: `orders-hscale-${operationId.length}`,
    spec: { replicas: 5, version: null, storage: null, resources: null },
    driftFingerprint: 'fp-1',
    driftEventId: 'drift-1',
    desiredGeneration: 2,
    createdAtMs: 1_000,
    correlationId: 'corr-1',
    ...overrides,
  };
}

/** observedRecord builds a valid observed record for `key` with `overrides` applied. */
export function observedRecord(
  overrides: Partial<ObservedDatabase> = {},
  key = SINK_TEST_KEY,
): ObservedDatabase {
  return {
    key,
    ...parts(key),
    valid: true,
    invalidReason: null,
    version: '7.0.12',
    replicas: 3,
    storage: '10Gi',
    resources: noResources,
    halted: false,
    phase: 'Ready',
    generation: 1,
    observedGeneration: 1,
    resourceVersion: '100',
    uid: 'uid-1',
    sourceTimestampMs: 900,
    observedAtMs: 1_000,
    correlationId: 'corr-obs-1',
    ...overrides,
  };
}

/** driftRecord builds a drift event for `key` with `overrides` applied (default: opened). */
export function driftRecord(overrides: Partial<DriftEvent> = {}, key = SINK_TEST_KEY): DriftEvent {
  return {
    eventId: 'drift-1',
    key,
    ...parts(key),
    status: 'opened',
    keyStatus: 'drifting',
    differences: [
      {
        path: 'spec.replicas',
        desired: '5',
        observed: '3',
        desiredNormalized: '5',
        observedNormalized: '3',
        remediation: 'HorizontalScaling',
      },
    ],
    fingerprint: 'fp-1',
    sequence: 1,
    provenance: {
      desiredGeneration: 2,
      desiredSourceTimestampMs: 950,
      observedResourceVersion: '100',
      observedGeneration: 1,
      observedSourceTimestampMs: 900,
      observedAtMs: 1_000,
    },
    operationIds: [],
    detectedAtMs: 1_000,
    correlationId: 'corr-drift-1',
    ...overrides,
  };
}
