import type {
  DeadLetter,
  DesiredDatabase,
  DriftEvent,
  ObservedDatabase,
  Operation,
  ProviderHealth,
  ProviderRecord,
} from './records.ts';
import type { TopicId, TopicValues } from './topic-contracts.ts';

// Typed sample values of every topic, valid against the schemas, for the codec tests and the
// round trip through the real broker (`@driftline/schemas/samples`): one place, so a schema change
// updates one fixture. Edge cases on purpose: longs near 2^53, nulls, empty arrays.

/** sampleKey is the database key the samples belong to. */
export const sampleKey = 'prov-1/team-a/MongoDB/orders';

const key = sampleKey;
const resources = { cpuRequest: '500m', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '1024Mi' };
const noResources = { cpuRequest: null, cpuLimit: null, memoryRequest: null, memoryLimit: null };
// Near 2^53 on purpose: longs must survive encode/decode exactly as numbers.
const bigMs = Number.MAX_SAFE_INTEGER - 1;

const desired: DesiredDatabase[] = [
  {
    key,
    provider: 'prov-1',
    namespace: 'team-a',
    kind: 'MongoDB',
    name: 'orders',
    version: '6.0.12',
    replicas: 3,
    storage: '10Gi',
    resources,
    halted: false,
    generation: 42,
    sourceTimestampMs: 1_764_000_000_123,
    clusterTime: '1764000000.7',
    correlationId: 'c-1',
  },
  {
    key,
    provider: 'prov-1',
    namespace: 'team-a',
    kind: 'MongoDB',
    name: 'orders',
    version: '6.0.12',
    replicas: 1,
    storage: null,
    resources: noResources,
    halted: true,
    generation: bigMs,
    sourceTimestampMs: bigMs,
    clusterTime: null,
    correlationId: '',
  },
];

const observed: ObservedDatabase[] = [
  {
    key,
    provider: 'prov-1',
    namespace: 'team-a',
    kind: 'MongoDB',
    name: 'orders',
    valid: true,
    invalidReason: null,
    version: '6.0.12',
    replicas: 3,
    storage: '10Gi',
    resources,
    halted: false,
    phase: 'Ready',
    generation: 7,
    observedGeneration: 7,
    resourceVersion: '123456',
    uid: '6f1c0d2e-1111-2222-3333-444455556666',
    sourceTimestampMs: 1_764_000_000_000,
    observedAtMs: 1_764_000_000_500,
    correlationId: 'c-2',
  },
  {
    key,
    provider: 'prov-1',
    namespace: 'team-a',
    kind: 'MongoDB',
    name: 'orders',
    valid: false,
    invalidReason: 'QUANTITY_INVALID: spec.storage "10 Gi"',
    version: null,
    replicas: null,
    storage: null,
    resources: noResources,
    halted: null,
    phase: null,
    generation: null,
    observedGeneration: null,
    resourceVersion: '1',
    uid: null,
    sourceTimestampMs: null,
    observedAtMs: bigMs,
    correlationId: 'c-3',
  },
];

const providers: ProviderRecord[] = [
  {
    id: 'prov-1',
    displayName: 'Frankfurt 1',
    server: 'https://10.0.0.1:6443',
    kinds: ['MongoDB', 'Postgres'],
    namespaces: ['team-a'],
    allowInsecureHttp: false,
    credentialsRef: null,
    credentials: { algorithm: 'AES-256-GCM', keyId: 'k1', iv: 'aXY=', tag: 'dGFn', ciphertext: 'Y2lwaGVy' },
    generation: 3,
    sourceTimestampMs: 1_764_000_000_000,
  },
  {
    id: 'prov-2',
    displayName: null,
    server: 'http://127.0.0.1:7001',
    kinds: [],
    namespaces: [],
    allowInsecureHttp: true,
    credentialsRef: 'secret/prov-2',
    credentials: null,
    generation: 0,
    sourceTimestampMs: 0,
  },
];

const health: ProviderHealth[] = [
  {
    provider: 'prov-1',
    watcherId: 'watcher-0',
    connected: true,
    circuit: 'half-open',
    lastEventAtMs: 1_764_000_000_000,
    lastBookmarkAtMs: 1_764_000_000_001,
    relists: 2,
    gones: 1,
    lastResyncAtMs: 1_764_000_000_002,
    reportedAtMs: 1_764_000_000_003,
  },
  {
    provider: 'prov-2',
    watcherId: 'watcher-1',
    connected: false,
    circuit: 'open',
    lastEventAtMs: null,
    lastBookmarkAtMs: null,
    relists: 0,
    gones: 0,
    lastResyncAtMs: null,
    reportedAtMs: bigMs,
  },
];

const drift: DriftEvent[] = [
  {
    eventId: 'e-1',
    key,
    provider: 'prov-1',
    namespace: 'team-a',
    kind: 'MongoDB',
    name: 'orders',
    status: 'opened',
    keyStatus: 'drifting',
    differences: [
      {
        path: 'resources.memoryRequest',
        desired: '1Gi',
        observed: '512Mi',
        desiredNormalized: '1073741824',
        observedNormalized: '536870912',
        remediation: 'VerticalScaling',
      },
      {
        path: 'spec.halted',
        desired: 'true',
        observed: null,
        desiredNormalized: null,
        observedNormalized: null,
        remediation: 'Manual',
      },
    ],
    fingerprint: 'fp-1',
    sequence: 1,
    provenance: {
      desiredGeneration: 42,
      desiredSourceTimestampMs: 1_764_000_000_000,
      observedResourceVersion: '123456',
      observedGeneration: 7,
      observedSourceTimestampMs: 1_764_000_000_001,
      observedAtMs: 1_764_000_000_002,
    },
    operationIds: ['op-1'],
    detectedAtMs: 1_764_000_000_003,
    correlationId: 'c-1',
  },
  {
    eventId: 'e-2',
    key,
    provider: 'prov-1',
    namespace: 'team-a',
    kind: 'MongoDB',
    name: 'orders',
    status: 'resolved',
    keyStatus: 'missing',
    differences: [],
    fingerprint: 'fp-2',
    sequence: bigMs,
    provenance: {
      desiredGeneration: null,
      desiredSourceTimestampMs: null,
      observedResourceVersion: null,
      observedGeneration: null,
      observedSourceTimestampMs: null,
      observedAtMs: null,
    },
    operationIds: [],
    detectedAtMs: bigMs,
    correlationId: 'c-2',
  },
];

const operations: Operation[] = [
  {
    operationId: 'op-1',
    key,
    provider: 'prov-1',
    namespace: 'team-a',
    kind: 'MongoDB',
    name: 'orders',
    type: 'VerticalScaling',
    opsRequestName: 'driftline-op-1',
    spec: { replicas: null, version: null, storage: null, resources },
    driftFingerprint: 'fp-1',
    driftEventId: 'e-1',
    desiredGeneration: 42,
    createdAtMs: 1_764_000_000_003,
    correlationId: 'c-1',
  },
  {
    operationId: 'op-2',
    key,
    provider: 'prov-1',
    namespace: 'team-a',
    kind: 'MongoDB',
    name: 'orders',
    type: 'HorizontalScaling',
    opsRequestName: 'driftline-op-2',
    spec: { replicas: 5, version: '7.0.1', storage: '20Gi', resources: null },
    driftFingerprint: 'fp-2',
    driftEventId: 'e-2',
    desiredGeneration: bigMs,
    createdAtMs: bigMs,
    correlationId: 'c-2',
  },
];

const deadLetters: DeadLetter[] = [
  {
    originalTopic: 'driftline.observed.v1',
    partition: 3,
    offset: '9223372036854775807',
    key: Buffer.from(key, 'utf8'),
    value: Buffer.from([0, 0, 0, 0, 1, 0xff]),
    errorCode: 'SERDE_FAILED',
    errorMessage: 'unknown magic byte',
    retryable: false,
    attempts: 1,
    service: 'reconciler',
    failedAtMs: 1_764_000_000_000,
  },
  {
    originalTopic: 'driftline.desired.v1',
    partition: 0,
    offset: '0',
    key: null,
    value: null,
    errorCode: 'KEY_INVALID',
    errorMessage: 'no key',
    retryable: true,
    attempts: 5,
    service: 'sink',
    failedAtMs: bigMs,
  },
];

/** sampleValues are valid values of every topic, the first of each the most complete. */
export const sampleValues: { readonly [K in TopicId]: readonly TopicValues[K][] } = {
  providers,
  providerHealth: health,
  desired,
  observed,
  drift,
  operations,
  deadletter: deadLetters,
};
