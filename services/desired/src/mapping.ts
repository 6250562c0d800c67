import { hash } from 'node:crypto';
import type { DesiredDatabase, EncryptedCredentials, ProviderRecord } from '@driftline/schemas';
import { formatKey } from '@driftline/shared/keys';
import {
  formatClusterTime,
  generationFromClusterTime,
  type ClusterTime,
  type SourceChange,
  type SourceCollection,
} from './change.ts';
import type { DatabaseDocument, ProviderCredentials, ProviderDocument } from './source-document.ts';

/**
 * RecordOrigin is what a record's ordering fields are derived from: the change's cluster time
 * (or the snapshot's start position) and its wall time, plus `nowMs` as the last resort for
 * `sourceTimestampMs`.
 */
export interface RecordOrigin {
  readonly clusterTime: ClusterTime | null;
  readonly wallTimeMs: number | null;
  readonly nowMs: number;
}

/**
 * databaseKeyOf builds the database key `provider/namespace/kind/name` (the Kafka message key of
 * desired.v1) with `@driftline/shared/keys`; the source-document schema already enforces the key
 * rules, so it does not throw for a validated document.
 */
export function databaseKeyOf(
  doc: Pick<DatabaseDocument, 'provider' | 'namespace' | 'kind' | 'name'>,
): string {
  return formatKey(doc);
}

/**
 * correlationIdFor derives a change's correlation id deterministically from the collection,
 * document id and cluster time (or snapshot id), so replaying the same change after a crash
 * yields the same id and downstream logs line up. UUID-shaped (hex of SHA-256, version nibble 5).
 */
export function correlationIdFor(collection: SourceCollection, documentId: string, position: string): string {
  // One-shot hash: no Hash object per record (it showed in the snapshot's CPU profile).
  const hex = hash('sha256', `${collection}\u0000${documentId}\u0000${position}`, 'hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * generationOf is the record's generation: the document's own `generation` when it carries one
 * (the platform bumps it on every write, so it orders content even when `updateLookup` hands an
 * older event a newer document), else one derived from the cluster time, else 0.
 */
export function generationOf(documentGeneration: number | null, origin: RecordOrigin): number {
  if (documentGeneration !== null) return documentGeneration;
  return origin.clusterTime === null ? 0 : generationFromClusterTime(origin.clusterTime);
}

function sourceTimestampOf(updatedAtMs: number | null, origin: RecordOrigin): number {
  if (origin.wallTimeMs !== null) return origin.wallTimeMs;
  if (updatedAtMs !== null) return updatedAtMs;
  if (origin.clusterTime !== null) return origin.clusterTime.t * 1000;
  return origin.nowMs;
}

/**
 * toDesiredDatabase maps a validated `databases` document to its desired.v1 record; `key` is
 * `databaseKeyOf(doc)`, which the caller has already built.
 */
export function toDesiredDatabase(
  doc: DatabaseDocument,
  key: string,
  origin: RecordOrigin,
  correlationId: string,
): DesiredDatabase {
  return {
    key,
    provider: doc.provider,
    namespace: doc.namespace,
    kind: doc.kind,
    name: doc.name,
    version: doc.version,
    replicas: doc.replicas,
    storage: doc.storage,
    resources: {
      cpuRequest: doc.resources.requests.cpu,
      cpuLimit: doc.resources.limits.cpu,
      memoryRequest: doc.resources.requests.memory,
      memoryLimit: doc.resources.limits.memory,
    },
    halted: doc.halted,
    generation: generationOf(doc.generation, origin),
    sourceTimestampMs: sourceTimestampOf(doc.updatedAtMs, origin),
    clusterTime: origin.clusterTime === null ? null : formatClusterTime(origin.clusterTime),
    correlationId,
  };
}

/** CredentialsSealer encrypts one provider's clear-text credentials (see @driftline/shared/credentials). */
export type CredentialsSealer = (
  providerId: string,
  credentials: ProviderCredentials,
) => EncryptedCredentials;

/**
 * toProviderRecord maps a validated `providers` document to its providers.v1 record; clear-text
 * credentials go through `seal` and only the envelope is kept.
 */
export function toProviderRecord(
  doc: ProviderDocument,
  origin: RecordOrigin,
  seal: CredentialsSealer,
): ProviderRecord {
  return {
    id: doc.id,
    displayName: doc.displayName,
    server: doc.server,
    kinds: [...doc.kinds],
    namespaces: [...doc.namespaces],
    allowInsecureHttp: doc.allowInsecureHttp,
    credentialsRef: doc.credentialsRef,
    credentials: doc.credentials === null ? null : seal(doc.id, doc.credentials),
    generation: generationOf(doc.generation, origin),
    sourceTimestampMs: sourceTimestampOf(doc.updatedAtMs, origin),
  };
}

/** positionLabelOf is the change's position as used in correlation ids: `"t.i"` or the snapshot id. */
export function positionLabelOf(change: SourceChange, snapshotId: string | null): string {
  if (change.operationType === 'snapshot') return `snapshot:${snapshotId ?? 'initial'}`;
  return change.clusterTime === null ? 'unknown' : formatClusterTime(change.clusterTime);
}
