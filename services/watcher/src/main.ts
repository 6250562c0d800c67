import { describeConfig, loadConfig } from '@driftline/shared/config';
import { createLogger } from '@driftline/shared/logging';
import { configSchema } from './config.ts';
import { startWatcherService } from './service.ts';

// The watcher process: read the environment once, print the config redacted, start, and stop
// gracefully on SIGTERM/SIGINT (leave the group so providers move at once, publish what is queued).
const config = loadConfig(configSchema, process.env);
const logger = createLogger({ service: 'watcher', level: config.LOG_LEVEL });
logger.info({ config: describeConfig(configSchema, config) }, 'configuration');
const service = await startWatcherService({ config, logger });
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  });
}
