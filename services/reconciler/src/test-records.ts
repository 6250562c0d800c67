import type { DesiredDatabase, ObservedDatabase, ProviderHealth } from '@driftline/schemas';

// Builders for unit tests: one in-sync desired/observed pair for a key, with overrides.

/** TEST_KEY is the database key the builders use unless told otherwise. */
export const TEST_KEY = 'prov-a/team-1/MongoDB/orders';

/** desiredRecord builds a valid desired record for `key` (default TEST_KEY) with `overrides` applied. */
export function desiredRecord(overrides: Partial<DesiredDatabase> = {}, key = TEST_KEY): DesiredDatabase {
  const [provider = 'prov-a', namespace = 'team-1', kind = 'MongoDB', name = 'orders'] = key.split('/');
  return {
    key,
    provider,
    namespace,
    kind,
    name,
    version: '7.0.12',
    replicas: 3,
    storage: '10Gi',
    resources: { cpuRequest: '500m', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '2Gi' },
    halted: false,
    generation: 1,
    sourceTimestampMs: 1_000,
    clusterTime: '1000.1',
    correlationId: 'corr-desired-1',
    ...overrides,
  };
}

/** observedRecord builds a valid, settled observed record for `key` matching `desiredRecord()`, with `overrides` applied. */
export function observedRecord(overrides: Partial<ObservedDatabase> = {}, key = TEST_KEY): ObservedDatabase {
  const [provider = 'prov-a', namespace = 'team-1', kind = 'MongoDB', name = 'orders'] = key.split('/');
  return {
    key,
    provider,
    namespace,
    kind,
    name,
    valid: true,
    invalidReason: null,
    version: '7.0.12',
    replicas: 3,
    storage: '10Gi',
    resources: { cpuRequest: '500m', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '2Gi' },
    halted: false,
    phase: 'Ready',
    generation: 4,
    observedGeneration: 4,
    resourceVersion: '100',
    uid: 'uid-1',
    sourceTimestampMs: 1_100,
    observedAtMs: 1_200,
    correlationId: 'corr-observed-100',
    ...overrides,
  };
}

/** healthRecord builds a connected, recently active provider health record with `overrides` applied. */
export function healthRecord(overrides: Partial<ProviderHealth> = {}): ProviderHealth {
  return {
    provider: 'prov-a',
    watcherId: 'watcher-1',
    connected: true,
    circuit: 'closed',
    lastEventAtMs: 0,
    lastBookmarkAtMs: null,
    relists: 0,
    gones: 0,
    lastResyncAtMs: 0,
    reportedAtMs: 0,
    ...overrides,
  };
}
