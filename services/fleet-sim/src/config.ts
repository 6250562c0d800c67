import { defineConfig, loggingConfigShape, variable } from '@driftline/shared/config';

/**
 * configSchema is fleet-sim's configuration when it runs on its own (`main.ts`). Tests build a
 * Fleet in-process and never read the environment.
 */
export const configSchema = defineConfig({
  ...loggingConfigShape,
  FLEET_CLUSTER_COUNT: variable
    .integer({ min: 1, max: 1000 })
    .default(3)
    .describe('Simulated provider clusters to start, each its own API server.'),
  FLEET_DATABASES_PER_CLUSTER_COUNT: variable
    .integer({ min: 0, max: 1_000_000 })
    .default(100)
    .describe('KubeDB objects seeded into each cluster at start, spread over the four kinds.'),
  FLEET_NAMESPACES: variable
    .list()
    .default(['tenant-a', 'tenant-b', 'tenant-c', 'tenant-d'])
    .describe('Namespaces the seeded objects are spread over.'),
  FLEET_ID_PREFIX: variable
    .string()
    .min(1)
    .default('provider')
    .describe('Provider id prefix; clusters are named `<prefix>-01`, `<prefix>-02`, ...'),
  FLEET_BASE_PORT: variable
    .integer({ min: 0, max: 65_535 })
    .default(0)
    .describe('Port of the first cluster API server (cluster i uses base + i); 0 picks free ports.'),
  FLEET_CONTROL_PORT: variable
    .integer({ min: 0, max: 65_535 })
    .default(7070)
    .describe('Port of the JSON control API (seed, change, drift, faults, counters); 0 picks a free one.'),
  FLEET_KUBECONFIG_DIR: variable
    .string()
    .min(1)
    .default('.stack/fleet-sim')
    .describe('Directory the clusters\u2019 kubeconfigs (`<id>.yaml`) and `fleet.json` are written to.'),
  FLEET_BOOKMARK_INTERVAL_MS: variable
    .integer({ min: 10 })
    .default(10_000)
    .describe('Interval of BOOKMARK events on watches that allow them.'),
  FLEET_TLS: variable
    .boolean()
    .default(false)
    .describe(
      'Serve HTTPS with a self-signed certificate (in each kubeconfig); kubectl needs it to send the token.',
    ),
  FLEET_HISTORY_WINDOW_COUNT: variable
    .integer({ min: 1 })
    .default(10_000)
    .describe('Events each cluster keeps; a watch or list from an older resourceVersion gets 410 Gone.'),
  FLEET_WATCH_DEFAULT_TIMEOUT_MS: variable
    .integer({ min: 1000 })
    .default(1_800_000)
    .describe('Watch length when the client sends no timeoutSeconds (the API server uses 30\u201360 min).'),
  FLEET_WATCH_MAX_BUFFERED_BYTES: variable
    .integer({ min: 1024 })
    .default(1024 * 1024)
    .describe('Unread bytes after which a watch client counts as slow (closed past 64x at once).'),
  FLEET_WATCH_SLOW_GRACE_MS: variable
    .integer({ min: 1 })
    .default(5_000)
    .describe('How long a slow watch client has to drain its buffer before its watch is closed.'),
});
