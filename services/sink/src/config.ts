import {
  defineConfig,
  kafkaConfigShape,
  loggingConfigShape,
  mongoConfigShape,
  opsServerConfigShape,
  schemaRegistryConfigShape,
  topicsConfigShape,
  variable,
  type Config,
} from '@driftline/shared/config';

/**
 * configSchema is the sink's configuration (environment variables). The README's configuration
 * table is generated from it (`scripts/config-table.ts`). Counts carry the `_COUNT` unit suffix
 * the shared conventions require (`SINK_CHUNK_SIZE_COUNT` is the chunk size).
 */
export const configSchema = defineConfig({
  ...loggingConfigShape,
  ...kafkaConfigShape,
  ...schemaRegistryConfigShape,
  ...mongoConfigShape,
  ...topicsConfigShape,
  ...opsServerConfigShape(9404),
  SINK_GROUP_ID: variable
    .string()
    .min(1)
    .default('driftline-sink')
    .describe('Consumer group reading the operations, observed and drift topics.'),
  SINK_TOPIC_PARTITIONS_COUNT: variable
    .integer({ min: 1 })
    .default(6)
    .describe(
      'Partitions of the topics this service creates when missing (operations, observed, drift co-partitioned; dead letters); must equal the other co-partitioned topics.',
    ),
  SINK_TOPIC_REPLICATION_COUNT: variable
    .integer({ min: 1 })
    .default(1)
    .describe('Replication factor of topics this service creates.'),
  SINK_CHUNK_SIZE_COUNT: variable
    .integer({ min: 1, max: 10_000 })
    .default(500)
    .describe('Most records per bulkWrite chunk; a full chunk is written at once.'),
  SINK_CHUNK_MAX_WAIT_MS: variable
    .integer({ min: 0, max: 60_000 })
    .default(50)
    .describe('Longest the first record of a partial chunk waits for more before the chunk is written.'),
  SINK_MAX_IN_FLIGHT_CHUNKS_COUNT: variable
    .integer({ min: 1, max: 64 })
    .default(4)
    .describe('Chunks being written to MongoDB at once; chunks touching the same document never overlap.'),
  SINK_PARTITIONS_CONCURRENCY_COUNT: variable
    .integer({ min: 1, max: 64 })
    .default(4)
    .describe('Partitions whose batches are processed at once (their records share chunks).'),
  SINK_RETRY_MAX_ATTEMPTS_COUNT: variable
    .integer({ min: 1, max: 100 })
    .default(5)
    .describe(
      'Attempts (the first included) for a write MongoDB refused with a retryable error before it is dead-lettered.',
    ),
  SINK_RETRY_INITIAL_DELAY_MS: variable
    .integer({ min: 0 })
    .default(100)
    .describe('Ceiling of the first retry delay (exponential backoff, full jitter).'),
  SINK_RETRY_MAX_DELAY_MS: variable
    .integer({ min: 1 })
    .default(10_000)
    .describe('Cap on any retry delay, also between probes while MongoDB is unreachable.'),
  SINK_OPERATION_STUCK_AFTER_MS: variable
    .integer({ min: 1 })
    .default(1_800_000)
    .describe('An operation still outstanding this long after it was created is flagged stuck.'),
  SINK_STUCK_SWEEP_INTERVAL_MS: variable
    .integer({ min: 100 })
    .default(60_000)
    .describe('Interval of the sweep that flags stuck operations.'),
  SINK_SHUTDOWN_TIMEOUT_MS: variable
    .integer({ min: 1000 })
    .default(25_000)
    .describe('Longest a graceful stop may take (below Kubernetes\u2019 30 s grace period).'),
});

/** SinkConfig is the sink's loaded, frozen configuration. */
export type SinkConfig = Config<typeof configSchema.shape>;
