import {
  defineConfig,
  kafkaConfigShape,
  loggingConfigShape,
  opsServerConfigShape,
  schemaRegistryConfigShape,
  topicsConfigShape,
  variable,
} from '@driftline/shared/config';

/**
 * configSchema is the reconciler's configuration (environment variables). The README's
 * configuration table is generated from it (`scripts/config-table.ts`).
 */
export const configSchema = defineConfig({
  ...loggingConfigShape,
  ...kafkaConfigShape,
  ...schemaRegistryConfigShape,
  ...topicsConfigShape,
  ...opsServerConfigShape(9403),
  RECONCILER_GROUP_ID: variable
    .string()
    .min(1)
    .default('driftline-reconciler')
    .describe(
      'Consumer group on the desired and observed topics: its partition assignment splits the keys between instances.',
    ),
  RECONCILER_PERSIST_MS: variable
    .integer({ min: 0 })
    .default(5_000)
    .describe(
      'A new drift condition (opened, changed, resolved) must hold this long before it is emitted; 0 emits at once.',
    ),
  RECONCILER_CONVERGENCE_GRACE_MS: variable
    .integer({ min: 0 })
    .default(300_000)
    .describe(
      'While an observed object converges (phase Provisioning/Updating or observedGeneration < generation) no drift opens, for at most this long.',
    ),
  RECONCILER_STALE_AFTER_MS: variable
    .integer({ min: 1_000 })
    .default(60_000)
    .describe(
      "A provider whose watch showed no sign of life for this long is stale: its keys' status becomes `unknown`.",
    ),
  RECONCILER_PARTITIONS_CONCURRENCY_COUNT: variable
    .integer({ min: 1, max: 64 })
    .default(2)
    .describe(
      'Input partitions processed at once; in-flight input is bounded by this times RECONCILER_FETCH_MAX_BYTES.',
    ),
  RECONCILER_FETCH_MAX_BYTES: variable
    .integer({ min: 1_024 })
    .default(1_048_576)
    .describe('Most bytes fetched per input partition and batch (the in-flight bound of one batch).'),
  RECONCILER_SESSION_TIMEOUT_MS: variable
    .integer({ min: 6_000 })
    .default(30_000)
    .describe(
      'Consumer-group session timeout: how long a dead instance keeps its partitions before they move.',
    ),
  RECONCILER_REBUILD_TIMEOUT_MS: variable
    .integer({ min: 1_000 })
    .default(300_000)
    .describe(
      "Longest rebuild of an assigned partition's state from the compacted inputs before it is retried.",
    ),
  RECONCILER_LAG_INTERVAL_MS: variable
    .integer({ min: 1_000 })
    .default(15_000)
    .describe('How often consumer lag (messages and seconds) is measured for /metrics.'),
  RECONCILER_SHUTDOWN_TIMEOUT_MS: variable
    .integer({ min: 1_000 })
    .default(25_000)
    .describe('Hard deadline of a graceful stop (below the orchestrator’s 30 s SIGKILL grace).'),
});
