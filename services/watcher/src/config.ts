import {
  defineConfig,
  kafkaConfigShape,
  loggingConfigShape,
  opsServerConfigShape,
  schemaRegistryConfigShape,
  secret,
  topicsConfigShape,
  variable,
} from '@driftline/shared/config';

/**
 * configSchema is the watcher's configuration (environment variables). The README's
 * configuration table is generated from it (`scripts/config-table.ts`).
 */
export const configSchema = defineConfig({
  ...loggingConfigShape,
  ...kafkaConfigShape,
  ...schemaRegistryConfigShape,
  ...topicsConfigShape,
  ...opsServerConfigShape(9402),
  WATCHER_ID: variable
    .string()
    .default('')
    .describe('Identity in provider-health records; empty = hostname and process id.'),
  WATCHER_GROUP_ID: variable
    .string()
    .min(1)
    .default('driftline-watcher')
    .describe(
      'Consumer group on the providers topic: its partition assignment decides which instance watches which provider.',
    ),
  WATCHER_SESSION_TIMEOUT_MS: variable
    .integer({ min: 6000 })
    .default(30_000)
    .describe(
      'Consumer-group session timeout: how long a dead instance keeps its providers before they move.',
    ),
  WATCHER_PROVIDERS_FILE: variable
    .string()
    .default('')
    .describe(
      'Static provider list (YAML/JSON); when set, this instance watches all of them and ignores the providers topic.',
    ),
  WATCHER_CREDENTIALS_KEY_ID: variable
    .string()
    .default('k1')
    .describe('Key id of WATCHER_CREDENTIALS_KEY, as named in sealed provider credentials.'),
  WATCHER_CREDENTIALS_KEY: secret(
    variable
      .string()
      .default('')
      .describe(
        'Base64 AES-256 key that opens provider credentials; required unless WATCHER_PROVIDERS_FILE is set.',
      ),
  ),
  WATCHER_CREDENTIALS_PREVIOUS_KEYS: secret(
    variable
      .string()
      .default('')
      .describe('Older keys still accepted after a rotation, as `id:base64,id:base64`.'),
  ),
  WATCHER_LIST_PAGE_SIZE_COUNT: variable
    .integer({ min: 1, max: 10_000 })
    .default(500)
    .describe('Objects per LIST page (client-go pager default).'),
  WATCHER_MIN_WATCH_TIMEOUT_MS: variable
    .integer({ min: 1000 })
    .default(300_000)
    .describe('Watch timeouts are drawn from [this, 2 × this) so reopened watches spread out.'),
  WATCHER_WATCH_IDLE_TIMEOUT_MS: variable
    .integer({ min: 1000 })
    .default(90_000)
    .describe('A watch with no event or bookmark for this long is reopened; twice this turns /readyz red.'),
  WATCHER_BACKOFF_INITIAL_MS: variable
    .integer({ min: 1 })
    .default(800)
    .describe("First reflector backoff after a failure (client-go's 800 ms); doubles per failure."),
  WATCHER_BACKOFF_MAX_MS: variable
    .integer({ min: 1 })
    .default(30_000)
    .describe('Backoff cap before jitter (client-go 30 s); the longest wait is twice this (100 % jitter).'),
  WATCHER_BACKOFF_RESET_AFTER_MS: variable
    .integer({ min: 1 })
    .default(120_000)
    .describe('A reflector healthy this long starts its next backoff from the initial delay again.'),
  WATCHER_REQUEST_TIMEOUT_MS: variable
    .integer({ min: 100 })
    .default(30_000)
    .describe('Per-provider timeout of one LIST page or watch opening.'),
  WATCHER_RATE_PER_SECOND: variable
    .number({ min: 0.1 })
    .default(5)
    .describe('Per-provider sustained request rate to the API server.'),
  WATCHER_RATE_BURST_COUNT: variable
    .integer({ min: 1 })
    .default(10)
    .describe('Per-provider request burst after a quiet period.'),
  WATCHER_CIRCUIT_FAILURES_COUNT: variable
    .integer({ min: 1 })
    .default(5)
    .describe('Consecutive failed requests that open a provider circuit.'),
  WATCHER_CIRCUIT_HALF_OPEN_AFTER_MS: variable
    .integer({ min: 100 })
    .default(30_000)
    .describe('How long a provider circuit stays open before a trial request.'),
  WATCHER_QUEUE_CAPACITY_COUNT: variable
    .integer({ min: 1 })
    .default(10_000)
    .describe('Per-provider bound of changes waiting to be published (back-pressure beyond).'),
  WATCHER_PUBLISH_BATCH_COUNT: variable
    .integer({ min: 1 })
    .default(500)
    .describe('Most changes one provider sends to Kafka in one produce request.'),
  WATCHER_HEALTH_INTERVAL_MS: variable
    .integer({ min: 100 })
    .default(15_000)
    .describe('Provider health is published at least this often (and on every change).'),
});
