import { describeConfig, loadConfig } from '@driftline/shared/config';
import { installShutdown } from '@driftline/shared/lifecycle';
import { createLogger } from '@driftline/shared/logging';
import { configSchema } from './config.ts';
import { startSinkService } from './service.ts';

// The sink process: read the environment once, log the config redacted, start, and on SIGTERM or
// SIGINT drain (finish and commit the running batch) within SINK_SHUTDOWN_TIMEOUT_MS.
const config = loadConfig(configSchema, process.env);
const logger = createLogger({ service: 'sink', level: config.LOG_LEVEL });
logger.info({ config: describeConfig(configSchema, config) }, 'configuration');
const service = await startSinkService({ config, logger });
installShutdown({ stop: () => service.stop(), timeoutMs: config.SINK_SHUTDOWN_TIMEOUT_MS, logger });
