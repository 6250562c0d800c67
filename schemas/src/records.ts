/**
 * The TypeScript shape of every driftline event value. Each interface mirrors one Avro record in
 * `schemas/*.avsc` field for field (the round-trip tests in `codec.test.ts` prove it): nullable
 * Avro unions are `T | null`, Avro `long` is `number` (epoch milliseconds and generations stay far
 * below 2^53; avsc refuses to encode an unsafe integer), `timestamp-millis` is a plain `number` of
 * epoch milliseconds UTC, Avro `bytes` is a `Buffer`.
 */

/** DRIFT_STATUSES lists the lifecycle steps of a drift, in the order a key goes through them. */
export const DRIFT_STATUSES = ['opened', 'changed', 'resolved'] as const;
/** DriftStatus is the lifecycle step a DriftEvent reports (Avro enum, default `changed`). */
export type DriftStatus = (typeof DRIFT_STATUSES)[number];

/** KEY_STATUSES lists the comparison results for one database key. */
export const KEY_STATUSES = ['in_sync', 'drifting', 'missing', 'orphan', 'unknown'] as const;
/** KeyStatus is the comparison result for one key (Avro enum, default `unknown`). */
export type KeyStatus = (typeof KEY_STATUSES)[number];

/** OPERATION_TYPES lists the KubeDB OpsRequest types driftline creates. */
export const OPERATION_TYPES = [
  'HorizontalScaling',
  'VerticalScaling',
  'VolumeExpansion',
  'UpdateVersion',
] as const;
/** OperationType is a KubeDB OpsRequest type driftline creates (an Avro string: the set grows). */
export type OperationType = (typeof OPERATION_TYPES)[number];

/** REMEDIATIONS lists what fixes a difference: an OpsRequest type, or Manual. */
export const REMEDIATIONS = [...OPERATION_TYPES, 'Manual'] as const;
/** Remediation is the OpsRequest type that fixes a difference, or `Manual` (Avro enum, default `Manual`). */
export type Remediation = (typeof REMEDIATIONS)[number];

/** CIRCUIT_STATES lists circuit breaker states towards a provider. */
export const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const;
/** CircuitState is a circuit breaker state (an Avro string: `half-open` is no valid enum symbol). */
export type CircuitState = (typeof CIRCUIT_STATES)[number];

/**
 * ResourceSpec holds raw Kubernetes quantity strings exactly as their source wrote them; compare
 * them only after normalisation (`@driftline/shared/quantity`). `null` means unset.
 */
export interface ResourceSpec {
  cpuRequest: string | null;
  cpuLimit: string | null;
  memoryRequest: string | null;
  memoryLimit: string | null;
}

/** DesiredDatabase is the platform's desired state of one database (`driftline.desired.v1`). */
export interface DesiredDatabase {
  key: string;
  provider: string;
  namespace: string;
  /** KubeDB kind: 'MongoDB' | 'Postgres' | 'MySQL' | 'Redis' | … (an open set). */
  kind: string;
  name: string;
  version: string;
  replicas: number;
  storage: string | null;
  resources: ResourceSpec;
  halted: boolean;
  /** Platform record version, monotonic per key. */
  generation: number;
  /** MongoDB cluster time / write time, epoch ms. */
  sourceTimestampMs: number;
  /** MongoDB change cluster time "t.i"; orders changes. */
  clusterTime: string | null;
  correlationId: string;
}

/** ObservedDatabase is what a cluster runs for one database (`driftline.observed.v1`). */
export interface ObservedDatabase {
  key: string;
  provider: string;
  namespace: string;
  kind: string;
  name: string;
  valid: boolean;
  invalidReason: string | null;
  version: string | null;
  replicas: number | null;
  storage: string | null;
  resources: ResourceSpec;
  halted: boolean | null;
  phase: string | null;
  generation: number | null;
  observedGeneration: number | null;
  resourceVersion: string;
  uid: string | null;
  /** When the cluster changed it, if known, epoch ms. */
  sourceTimestampMs: number | null;
  /** When the watcher saw it, epoch ms. */
  observedAtMs: number;
  correlationId: string;
}

/** EncryptedCredentials is the AES-256-GCM envelope around a provider's kubeconfig user credentials. */
export interface EncryptedCredentials {
  algorithm: 'AES-256-GCM';
  keyId: string;
  /** base64 */
  iv: string;
  /** base64 */
  tag: string;
  /** base64 */
  ciphertext: string;
}

/** ProviderRecord is one registered provider cluster (`driftline.providers.v1`, key = provider id). */
export interface ProviderRecord {
  id: string;
  displayName: string | null;
  /** https URL of the API server. */
  server: string;
  /** KubeDB kinds to watch. */
  kinds: string[];
  /** Namespaces to watch; empty = all. */
  namespaces: string[];
  allowInsecureHttp: boolean;
  credentialsRef: string | null;
  credentials: EncryptedCredentials | null;
  generation: number;
  sourceTimestampMs: number;
}

/** ProviderHealth is a watcher's latest report on a provider (`driftline.provider-health.v1`). */
export interface ProviderHealth {
  provider: string;
  watcherId: string;
  connected: boolean;
  circuit: CircuitState;
  lastEventAtMs: number | null;
  lastBookmarkAtMs: number | null;
  relists: number;
  gones: number;
  lastResyncAtMs: number | null;
  reportedAtMs: number;
}

/** FieldDifference is one field whose desired and observed values differ after normalisation. */
export interface FieldDifference {
  /** 'spec.replicas' | 'spec.version' | 'spec.storage' | 'spec.halted' | 'resources.cpuRequest' | … */
  path: string;
  desired: string | null;
  observed: string | null;
  desiredNormalized: string | null;
  observedNormalized: string | null;
  remediation: Remediation;
}

/** DriftProvenance identifies which desired and observed versions produced a DriftEvent. */
export interface DriftProvenance {
  desiredGeneration: number | null;
  desiredSourceTimestampMs: number | null;
  observedResourceVersion: string | null;
  observedGeneration: number | null;
  observedSourceTimestampMs: number | null;
  observedAtMs: number | null;
}

/** DriftEvent reports a change in one database's drift (`driftline.drift.v1`, public contract). */
export interface DriftEvent {
  /** Deterministic: the same drift step always has the same id. */
  eventId: string;
  key: string;
  provider: string;
  namespace: string;
  kind: string;
  name: string;
  status: DriftStatus;
  keyStatus: KeyStatus;
  differences: FieldDifference[];
  fingerprint: string;
  /** Per-key, +1 per event; restarts when the reconciler rebuilds its state (replay). */
  sequence: number;
  provenance: DriftProvenance;
  operationIds: string[];
  detectedAtMs: number;
  correlationId: string;
}

/** OperationSpec carries the target values an OpsRequest applies; only its type's fields are set. */
export interface OperationSpec {
  replicas: number | null;
  version: string | null;
  storage: string | null;
  resources: ResourceSpec | null;
}

/** Operation is a remediation to apply as a KubeDB OpsRequest (`driftline.operations.v1`). */
export interface Operation {
  /** Deterministic from key, desired generation, drift fingerprint and type. */
  operationId: string;
  key: string;
  provider: string;
  namespace: string;
  kind: string;
  name: string;
  type: OperationType;
  /** KubeDB OpsRequest metadata.name, derived from operationId. */
  opsRequestName: string;
  spec: OperationSpec;
  driftFingerprint: string;
  driftEventId: string;
  desiredGeneration: number;
  createdAtMs: number;
  correlationId: string;
}

/** DeadLetter is a message that could never be processed, with the reason (`driftline.deadletter.v1`). */
export interface DeadLetter {
  originalTopic: string;
  partition: number;
  /** Kafka offset as a decimal string (64-bit). */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  errorCode: string;
  errorMessage: string;
  retryable: boolean;
  attempts: number;
  service: string;
  failedAtMs: number;
}
