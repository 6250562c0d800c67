import { hostname } from 'node:os';
import type { ObservedDatabase, ProviderHealth } from '@driftline/schemas';
import type { Config } from '@driftline/shared/config';
import { createKeyring } from '@driftline/shared/credentials';
import { DriftlineError } from '@driftline/shared/errors';
import {
  createEventLoopMonitor,
  createHealth,
  startOpsServer,
  type OpsServer,
} from '@driftline/shared/health';
import {
  createAvroSerde,
  createCompactedReader,
  createConsumerRunner,
  createIdempotentProducer,
  createKafkaClient,
  kafkaClientConfigFromEnv,
  type KafkaConsumerPort,
} from '@driftline/shared/kafka';
import { safeParseKey } from '@driftline/shared/keys';
import { createLifecycle } from '@driftline/shared/lifecycle';
import type { Logger } from '@driftline/shared/logging';
import { createMetrics, type Metrics } from '@driftline/shared/metrics';
import { defaultBackoff } from './backoff.ts';
import { systemClock, type Clock } from './clock.ts';
import type { configSchema } from './config.ts';
import type { WatcherEventSink } from './events.ts';
import { groupCommit } from './group-commit.ts';
import { createHealthSink, createObservedSink } from './kafka-sinks.ts';
import { createKubeAdapter } from './kube-adapter.ts';
import { Ownership } from './ownership.ts';
import { loadProvidersFile } from './provider-config.ts';
import { Watcher, type WatcherStatus } from './watcher.ts';
import { watcherMetrics } from './watcher-metrics.ts';

/** WatcherConfig is the parsed, frozen watcher configuration. */
export type WatcherConfig = Config<(typeof configSchema)['shape']>;

/** WatcherServiceOptions: the config, a logger, and optional extras for tests and benchmarks. */
export interface WatcherServiceOptions {
  readonly config: WatcherConfig;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Extra listener for every WatcherEvent (tests, benchmarks). */
  readonly emit?: WatcherEventSink;
  /** Start the /metrics, /healthz, /readyz server (default true). */
  readonly opsServer?: boolean;
}

/** WatcherService is a running watcher instance. */
export interface WatcherService {
  readonly watcherId: string;
  readonly watcher: Watcher;
  readonly opsPort: number | undefined;
  status(): WatcherStatus;
  /** stop: leave the group (providers move to other instances), publish what is queued, close. */
  stop(): Promise<void>;
}

/**
 * startWatcherService wires the watcher's adapters: Kafka client, idempotent producer with the
 * Avro serde, the compacted reader that seeds providers from `observed.v1`, the Kubernetes
 * adapter per provider, ownership through the consumer group on `providers.v1` (or the static
 * providers file), metrics, and the ops server whose `/readyz` turns red when a watch is stuck
 * or the providers consumer stops polling.
 */
export async function startWatcherService(options: WatcherServiceOptions): Promise<WatcherService> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const watcherId = config.WATCHER_ID !== '' ? config.WATCHER_ID : `${hostname()}-${process.pid}`;
  const metrics: Metrics = createMetrics({ service: 'watcher' });
  const metricSink = watcherMetrics(metrics, metrics.registry, config.TOPIC_OBSERVED);
  const emit: WatcherEventSink = (event) => {
    metricSink(event);
    options.emit?.(event);
  };
  const kafka = createKafkaClient(kafkaClientConfigFromEnv(config), logger);
  const serde = createAvroSerde({
    schemaRegistryUrl: config.SCHEMA_REGISTRY_URL,
    clientId: config.KAFKA_CLIENT_ID,
    topicNames: {
      observed: config.TOPIC_OBSERVED,
      providers: config.TOPIC_PROVIDERS,
      providerHealth: config.TOPIC_PROVIDER_HEALTH,
    },
    ...(config.SCHEMA_REGISTRY_USERNAME === ''
      ? {}
      : { auth: { username: config.SCHEMA_REGISTRY_USERNAME, password: config.SCHEMA_REGISTRY_PASSWORD } }),
  });
  await serde.register(['observed', 'providerHealth']);
  const producer = await createIdempotentProducer(kafka);
  const reader = createCompactedReader(kafka, logger, { groupIdPrefix: 'driftline-watcher-reader' });
  const observedSink = groupCommit(createObservedSink(producer, serde, config.TOPIC_OBSERVED));
  const healthSink = createHealthSink(producer, serde, config.TOPIC_PROVIDER_HEALTH);
  const idleMs = config.WATCHER_WATCH_IDLE_TIMEOUT_MS;

  const watcher = new Watcher({
    watcherId,
    clock,
    logger,
    emit,
    observed: observedSink,
    health: healthSink,
    connect: (provider) =>
      createKubeAdapter(provider.kubeconfig, { watchInactivityMs: idleMs + 30_000, maxPendingEvents: 1000 }),
    readSeed: async (ids) => {
      const wanted = new Set(ids);
      const table = await reader.latest({
        topics: [config.TOPIC_OBSERVED],
        key: (key) => {
          const parsed = safeParseKey(key);
          return parsed.ok && wanted.has(parsed.key.provider);
        },
      });
      const seeds = new Map<string, ObservedDatabase[]>();
      for (const entry of table) {
        const record = await serde.decode('observed', entry.value);
        if (record === null) continue;
        const list = seeds.get(record.provider) ?? [];
        list.push(record);
        seeds.set(record.provider, list);
      }
      return seeds;
    },
    supervisor: {
      policies: {
        requestTimeoutMs: config.WATCHER_REQUEST_TIMEOUT_MS,
        ratePerSecond: config.WATCHER_RATE_PER_SECOND,
        burst: config.WATCHER_RATE_BURST_COUNT,
        circuitFailures: config.WATCHER_CIRCUIT_FAILURES_COUNT,
        circuitHalfOpenAfterMs: config.WATCHER_CIRCUIT_HALF_OPEN_AFTER_MS,
      },
      queueCapacity: config.WATCHER_QUEUE_CAPACITY_COUNT,
      batchSize: config.WATCHER_PUBLISH_BATCH_COUNT,
      healthIntervalMs: config.WATCHER_HEALTH_INTERVAL_MS,
      reflector: {
        pageSize: config.WATCHER_LIST_PAGE_SIZE_COUNT,
        minWatchTimeoutMs: config.WATCHER_MIN_WATCH_TIMEOUT_MS,
        watchIdleTimeoutMs: idleMs,
        backoff: {
          ...defaultBackoff,
          initialMs: config.WATCHER_BACKOFF_INITIAL_MS,
          maxMs: config.WATCHER_BACKOFF_MAX_MS,
          resetAfterMs: config.WATCHER_BACKOFF_RESET_AFTER_MS,
        },
      },
    },
  });

  const lifecycle = createLifecycle({ clock });
  const watches = lifecycle.component('watches', { maxProgressAgeMs: 2 * idleMs });
  let consumer: KafkaConsumerPort | undefined;
  if (config.WATCHER_PROVIDERS_FILE !== '') {
    await watcher.watch(await loadProvidersFile(config.WATCHER_PROVIDERS_FILE));
  } else {
    if (config.WATCHER_CREDENTIALS_KEY === '') {
      throw new DriftlineError(
        'CONFIG_INVALID',
        'WATCHER_CREDENTIALS_KEY is required unless WATCHER_PROVIDERS_FILE is set',
      );
    }
    const keyring = createKeyring(
      config.WATCHER_CREDENTIALS_KEY_ID,
      config.WATCHER_CREDENTIALS_KEY,
      config.WATCHER_CREDENTIALS_PREVIOUS_KEYS,
    );
    const ownership = new Ownership({
      providersTopic: config.TOPIC_PROVIDERS,
      reader,
      decode: (value) => serde.decode('providers', value),
      keyring,
      providers: watcher,
      logger,
      onRefused: (provider) => {
        const health: ProviderHealth = {
          provider,
          watcherId,
          connected: false,
          circuit: 'open',
          lastEventAtMs: null,
          lastBookmarkAtMs: null,
          relists: 0,
          gones: 0,
          lastResyncAtMs: null,
          reportedAtMs: clock.now(),
        };
        healthSink
          .publish(health)
          .catch((error: unknown) => logger.warn({ err: error, provider }, 'health not published'));
      },
    });
    consumer = createConsumerRunner(kafka, {
      groupId: config.WATCHER_GROUP_ID,
      topics: [config.TOPIC_PROVIDERS],
      handler: ownership.handle,
      logger,
      fromBeginning: true,
      sessionTimeoutMs: config.WATCHER_SESSION_TIMEOUT_MS,
      onAssigned: ownership.onAssigned,
      onRevoked: ownership.onRevoked,
      component: lifecycle.component('providers-consumer', { maxProgressAgeMs: 30_000 }),
    });
    await consumer.start();
  }

  watches.transition('running');
  const ticker = setInterval(() => {
    if (!watcher.status().stuck) watches.progress();
  }, 1000);
  ticker.unref();

  let ops: OpsServer | undefined;
  if (options.opsServer !== false) {
    const eventLoop = createEventLoopMonitor({ intervalMs: 1000 });
    ops = await startOpsServer({
      port: config.HTTP_PORT,
      host: config.HTTP_HOST,
      registry: metrics.registry,
      health: createHealth({ lifecycle, eventLoop }),
    });
  }
  logger.info(
    { watcherId, mode: consumer === undefined ? 'static' : 'group', opsPort: ops?.port },
    'watcher started',
  );

  return {
    watcherId,
    watcher,
    opsPort: ops?.port,
    status: () => watcher.status(),
    async stop() {
      watches.transition('draining');
      clearInterval(ticker);
      await consumer?.stop();
      await watcher.stop();
      await producer.disconnect();
      await ops?.close();
      watches.transition('stopped');
      logger.info({ watcherId }, 'watcher stopped');
    },
  };
}
