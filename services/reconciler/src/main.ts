import { describeConfig, loadConfig } from '@driftline/shared/config';
import { installShutdown } from '@driftline/shared/lifecycle';
import { createLogger } from '@driftline/shared/logging';
import { configSchema } from './config.ts';
import { startReconcilerService } from './service.ts';

// The reconciler process: read the environment once, print the config redacted, start, and on
// SIGTERM/SIGINT finish the batch in flight, commit, and leave the group so partitions move at once.
const config = loadConfig(configSchema, process.env);
const logger = createLogger({ service: 'reconciler', level: config.LOG_LEVEL });
logger.info({ config: describeConfig(configSchema, config) }, 'configuration');
const service = await startReconcilerService({ config, logger });
installShutdown({
  stop: () => service.stop(),
  timeoutMs: config.RECONCILER_SHUTDOWN_TIMEOUT_MS,
  logger,
});
