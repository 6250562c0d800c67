import { describeConfig, loadConfig } from '@driftline/shared/config';
import { installShutdown } from '@driftline/shared/lifecycle';
import { createLogger } from '@driftline/shared/logging';
import { configSchema } from './config.ts';
import { startDesiredService } from './service.ts';

// The desired process: read the environment once, print the config redacted, start, stop
// gracefully on SIGTERM/SIGINT (leave the lease group so a standby takes over at once, finish the
// batch in flight), exit 1 on a fatal error such as refused MongoDB credentials.
const config = loadConfig(configSchema, process.env);
const logger = createLogger({ service: 'desired', level: config.LOG_LEVEL });
logger.info({ config: describeConfig(configSchema, config) }, 'configuration');
const service = await startDesiredService({ config, logger });
const shutdown = installShutdown({ stop: () => service.stop(), timeoutMs: 25_000, logger });
void service.fatal.then(async () => {
  shutdown.dispose();
  await service
    .stop()
    .catch((error: unknown) => logger.error({ err: error }, 'unclean stop after a fatal error'));
  process.exit(1);
});
