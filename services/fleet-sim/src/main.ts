#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeConfig, loadConfig } from '@driftline/shared/config';
import { createLogger } from '@driftline/shared/logging';
import { configSchema } from './config.ts';
import { startControlServer } from './control-api.ts';
import { Fleet } from './fleet.ts';

// Runs a simulated fleet on its own: starts the clusters, seeds them, writes their kubeconfigs and a
// `fleet.json` manifest, serves the control API, and stops everything on SIGINT/SIGTERM.

const config = loadConfig(configSchema, process.env);
const logger = createLogger({ service: 'fleet-sim', level: config.LOG_LEVEL });
logger.info({ config: describeConfig(configSchema, config) }, 'fleet-sim starting');

const fleet = await Fleet.start({
  clusterCount: config.FLEET_CLUSTER_COUNT,
  basePort: config.FLEET_BASE_PORT,
  idPrefix: config.FLEET_ID_PREFIX,
  historyWindow: config.FLEET_HISTORY_WINDOW_COUNT,
  bookmarkIntervalMs: config.FLEET_BOOKMARK_INTERVAL_MS,
  defaultWatchTimeoutMs: config.FLEET_WATCH_DEFAULT_TIMEOUT_MS,
  maxWatchBufferedBytes: config.FLEET_WATCH_MAX_BUFFERED_BYTES,
  slowWatchGraceMs: config.FLEET_WATCH_SLOW_GRACE_MS,
  tls: config.FLEET_TLS,
  logger,
});
const seeded = fleet.seed({
  count: config.FLEET_DATABASES_PER_CLUSTER_COUNT,
  namespaces: config.FLEET_NAMESPACES,
});
const control = await startControlServer(fleet, { port: config.FLEET_CONTROL_PORT, logger });

const dir = resolve(config.FLEET_KUBECONFIG_DIR);
const kubeconfigs = await fleet.writeKubeconfigs(dir);
const manifestPath = join(dir, 'fleet.json');
const manifest = {
  controlUrl: control.url,
  clusters: fleet.clusters.map((cluster, i) => ({
    id: cluster.id,
    server: cluster.server,
    kubeconfig: kubeconfigs[i],
  })),
};
await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
logger.info(
  {
    clusters: fleet.clusters.length,
    seeded,
    controlUrl: control.url,
    kubeconfigDir: dir,
    manifest: manifestPath,
  },
  'fleet-sim ready',
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'fleet-sim stopping');
  await control.close();
  await fleet.stop();
  logger.info('fleet-sim stopped');
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
