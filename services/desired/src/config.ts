import {
  defineConfig,
  type Config,
  kafkaConfigShape,
  loggingConfigShape,
  mongoConfigShape,
  opsServerConfigShape,
  schemaRegistryConfigShape,
  secret,
  topicsConfigShape,
  variable,
} from '@driftline/shared/config';

/**
 * configSchema is the desired service's configuration (environment variables). The README's
 * configuration table is generated from it.
 */
export const configSchema = defineConfig({
  ...loggingConfigShape,
  ...kafkaConfigShape,
  ...schemaRegistryConfigShape,
  ...mongoConfigShape,
  ...topicsConfigShape,
  ...opsServerConfigShape(9401),
  DESIRED_INSTANCE_NAME: variable
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .default('desired')
    .describe(
      'Deployment name: prefixes the stored positions and the lease group, so two deployments never share them.',
    ),
  DESIRED_DATABASES_COLLECTION: variable
    .string()
    .min(1)
    .default('databases')
    .describe('Source collection of database records (see docs/contracts.md, "Source collections").'),
  DESIRED_PROVIDERS_COLLECTION: variable
    .string()
    .min(1)
    .default('providers')
    .describe('Source collection of provider records.'),
  DESIRED_POSITIONS_COLLECTION: variable
    .string()
    .min(1)
    .default('driftline_positions')
    .describe('Collection in MONGO_DATABASE where change-stream positions are stored (needs write access).'),
  DESIRED_FULL_DOCUMENT: variable
    .oneOf(['updateLookup', 'whenAvailable', 'required'])
    .default('updateLookup')
    .describe(
      'Change stream fullDocument mode: updateLookup (any replica set), or whenAvailable/required to use post-images (MongoDB 6+, changeStreamPreAndPostImages enabled on both collections).',
    ),
  DESIRED_MAX_DOCUMENT_BYTES: variable
    .integer({ min: 1024, max: 16 * 1024 * 1024 })
    .default(65_536)
    .describe('Source documents larger than this (BSON bytes) are dead-lettered instead of published.'),
  DESIRED_SNAPSHOT_PAGE_COUNT: variable
    .integer({ min: 1, max: 100_000 })
    .default(2_000)
    .describe('Documents per snapshot page (one bounded find, then one publish).'),
  DESIRED_BATCH_MAX_COUNT: variable
    .integer({ min: 1, max: 100_000 })
    .default(1_000)
    .describe(
      'Most change events read but not yet stored (the crash bound: a crash republishes at most these); positions are stored in order, each after everything up to it was acknowledged.',
    ),
  DESIRED_SEND_CHUNK_COUNT: variable
    .integer({ min: 1, max: 10_000 })
    .default(1_000)
    .describe('Records per Kafka produce request.'),
  DESIRED_MAX_AWAIT_TIME_MS: variable
    .integer({ min: 10, max: 60_000 })
    .default(500)
    .describe('How long one change-stream getMore waits for events (bounds idle latency of position saves).'),
  DESIRED_IDLE_POSITION_SAVE_INTERVAL_MS: variable
    .integer({ min: 0 })
    .default(5_000)
    .describe(
      'Shortest interval between saves of a position that advanced without events (post-batch resume token).',
    ),
  DESIRED_RESTART_INITIAL_DELAY_MS: variable
    .integer({ min: 1 })
    .default(200)
    .describe('First backoff ceiling before restarting a failed pipeline or reconnecting to MongoDB.'),
  DESIRED_RESTART_MAX_DELAY_MS: variable
    .integer({ min: 1 })
    .default(30_000)
    .describe('Backoff cap for pipeline restarts and MongoDB reconnects.'),
  DESIRED_STALL_MS: variable
    .integer({ min: 1_000 })
    .default(60_000)
    .describe(
      'Readiness turns red when an active pipeline made no progress (batch, snapshot page) for this long.',
    ),
  DESIRED_LEASE_TOPIC: variable
    .string()
    .min(1)
    .default('driftline.desired-lease.v1')
    .describe('One-partition topic whose consumer-group assignment elects the single active publisher.'),
  DESIRED_LEASE_SESSION_TIMEOUT_MS: variable
    .integer({ min: 6_000 })
    .default(10_000)
    .describe('How long a dead active instance keeps the lease before a standby takes over.'),
  DESIRED_LEASE_HEARTBEAT_INTERVAL_MS: variable
    .integer({ min: 100 })
    .default(1_000)
    .describe('Heartbeat interval of the lease group membership.'),
  DESIRED_INDEX_READ_TIMEOUT_MS: variable
    .integer({ min: 1_000 })
    .default(120_000)
    .describe('Longest read of an output topic to its end when rebuilding the key index on start.'),
  DESIRED_TOPIC_PARTITIONS_COUNT: variable
    .integer({ min: 1 })
    .default(6)
    .describe(
      'Partitions of desired.v1 when this service creates it (must equal the other co-partitioned topics).',
    ),
  DESIRED_TOPIC_REPLICATION_COUNT: variable
    .integer({ min: 1 })
    .default(1)
    .describe('Replication factor of topics this service creates.'),
  DESIRED_CREDENTIALS_KEY_ID: variable
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .default('k1')
    .describe('Key id written into sealed provider credentials (the watcher looks its key up by it).'),
  DESIRED_CREDENTIALS_KEY: secret(
    variable
      .string()
      .default('')
      .describe(
        'Base64 of the 32-byte AES-256-GCM key that seals provider credentials; empty: providers with inline credentials are dead-lettered.',
      ),
  ),
});

/** DesiredConfig is the loaded, frozen configuration. */
export type DesiredConfig = Config<(typeof configSchema)['shape']>;
