import type {
  DeadLetter,
  DesiredDatabase,
  DriftEvent,
  ObservedDatabase,
  Operation,
  ProviderHealth,
  ProviderRecord,
} from './records.ts';

/**
 * TopicValues maps each topic id to the TypeScript type of its Avro value. A `null` value on the
 * wire is a tombstone and is not part of these types.
 */
export interface TopicValues {
  providers: ProviderRecord;
  providerHealth: ProviderHealth;
  desired: DesiredDatabase;
  observed: ObservedDatabase;
  drift: DriftEvent;
  operations: Operation;
  deadletter: DeadLetter;
}

/** TopicId names a driftline topic independently of its (configurable) Kafka name. */
export type TopicId = keyof TopicValues;

/**
 * KeyFormat says what the Kafka message key holds. Keys are plain UTF-8 bytes, never Avro, so
 * every client's default murmur2 partitioner puts a key in the same partition regardless of
 * schema-registry ids:
 * - `database-key`: `provider/namespace/kind/name` as built by `@driftline/shared/keys`;
 * - `provider-id`: the provider id;
 * - `original-key`: the failed message's key bytes, unchanged (dead letters).
 */
export type KeyFormat = 'database-key' | 'provider-id' | 'original-key';

/** TopicContract is everything provisioning, serdes and docs need to know about one topic. */
export interface TopicContract {
  readonly id: TopicId;
  /** Default Kafka topic name; services let configuration override it. */
  readonly defaultName: string;
  /** File name of the value schema inside `schemas/`. */
  readonly schemaFile: string;
  /** Avro full name of the value record. */
  readonly recordName: string;
  readonly keyFormat: KeyFormat;
  /** `cleanup.policy=compact`: a state topic, the latest value per key is the truth, null = deleted. */
  readonly compacted: boolean;
  /**
   * Co-partitioned topics must have the same partition count, so a key's desired, observed,
   * drift and operations records meet in the same partition number.
   */
  readonly coPartitioned: boolean;
  readonly purpose: string;
}

/**
 * topicContracts is the table of every driftline topic, in pipeline order. Kafka provisioning
 * creates topics from it (compaction, co-partitioning) and docs/contracts.md describes the same
 * table; a test keeps them in step.
 */
export const topicContracts: { readonly [K in TopicId]: TopicContract } = {
  providers: {
    id: 'providers',
    defaultName: 'driftline.providers.v1',
    schemaFile: 'provider-record.avsc',
    recordName: 'io.driftline.v1.ProviderRecord',
    keyFormat: 'provider-id',
    compacted: true,
    coPartitioned: false,
    purpose: 'Registered provider clusters; its consumer group assigns providers to watchers.',
  },
  providerHealth: {
    id: 'providerHealth',
    defaultName: 'driftline.provider-health.v1',
    schemaFile: 'provider-health.avsc',
    recordName: 'io.driftline.v1.ProviderHealth',
    keyFormat: 'provider-id',
    compacted: true,
    coPartitioned: false,
    purpose:
      'Latest watcher health per provider; every reconciler instance reads it whole as a global table.',
  },
  desired: {
    id: 'desired',
    defaultName: 'driftline.desired.v1',
    schemaFile: 'desired-database.avsc',
    recordName: 'io.driftline.v1.DesiredDatabase',
    keyFormat: 'database-key',
    compacted: true,
    coPartitioned: true,
    purpose: "Desired state of each database, from the platform's MongoDB.",
  },
  observed: {
    id: 'observed',
    defaultName: 'driftline.observed.v1',
    schemaFile: 'observed-database.avsc',
    recordName: 'io.driftline.v1.ObservedDatabase',
    keyFormat: 'database-key',
    compacted: true,
    coPartitioned: true,
    purpose: "Observed state of each database, from the providers' KubeDB resources.",
  },
  drift: {
    id: 'drift',
    defaultName: 'driftline.drift.v1',
    schemaFile: 'drift-event.avsc',
    recordName: 'io.driftline.v1.DriftEvent',
    keyFormat: 'database-key',
    compacted: false,
    coPartitioned: true,
    purpose: 'Drift opened / changed / resolved per database: the public contract for other teams.',
  },
  operations: {
    id: 'operations',
    defaultName: 'driftline.operations.v1',
    schemaFile: 'operation.avsc',
    recordName: 'io.driftline.v1.Operation',
    keyFormat: 'database-key',
    compacted: false,
    coPartitioned: true,
    purpose: 'Remediations as KubeDB OpsRequests, with deterministic ids.',
  },
  deadletter: {
    id: 'deadletter',
    defaultName: 'driftline.deadletter.v1',
    schemaFile: 'dead-letter.avsc',
    recordName: 'io.driftline.v1.DeadLetter',
    keyFormat: 'original-key',
    compacted: false,
    coPartitioned: false,
    purpose: 'Messages that can never be processed, with the reason and the raw bytes.',
  },
};

/** topicIds lists every TopicId in pipeline order. */
export const topicIds = Object.keys(topicContracts) as readonly TopicId[];
