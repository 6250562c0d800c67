import { MongoClient } from 'mongodb';
import { topicContracts } from '@driftline/schemas';
import {
  createAvroSerde,
  createConsumerRunner,
  createIdempotentProducer,
  createKafkaAdmin,
  createKafkaClient,
  topicNamesFromEnv,
  kafkaClientConfigFromEnv,
  type KafkaConsumerPort,
} from '@driftline/shared/kafka';
import {
  createEventLoopMonitor,
  createHealth,
  startOpsServer,
  type Health,
  type OpsServer,
} from '@driftline/shared/health';
import { createLifecycle } from '@driftline/shared/lifecycle';
import type { Logger } from '@driftline/shared/logging';
import { createMetrics } from '@driftline/shared/metrics';
import { systemClock, type Clock } from '@driftline/shared/resilience';
import { createBatchHandler } from './batch-handler.ts';
import { createChunkWriter } from './chunk-writer.ts';
import type { SinkConfig } from './config.ts';
import { createDeadLetterPublisher } from './dead-letter.ts';
import { createMongoStore, ensureSinkIndexes } from './mongo-store.ts';
import { createSink, type Sink } from './sink.ts';
import { createSinkMetrics } from './sink-metrics.ts';
import type { SinkStorePort } from './store.ts';
import { createStuckSweeper, type StuckSweeper } from './stuck-sweeper.ts';

/** SinkServiceOptions start the sink; the optional parts are seams for tests. */
export interface SinkServiceOptions {
  readonly config: SinkConfig;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Wraps the MongoDB store (fault injection at the adapter boundary). */
  readonly wrapStore?: (store: SinkStorePort) => SinkStorePort;
  /** false: no ops server (tests that run several sinks in one process). */
  readonly opsServer?: boolean;
}

/** SinkService is a running sink. */
export interface SinkService {
  readonly sink: Sink;
  readonly consumer: KafkaConsumerPort;
  readonly health: Health;
  readonly sweeper: StuckSweeper;
  readonly opsPort: number | undefined;
  /** stop drains: stops fetching, lets the running batch finish and commit, then closes everything. */
  stop(): Promise<void>;
}

// How long the consumer may go without a poll before /readyz turns red: a few of its 1 s fetch
// waits, well below the session timeout.
const MAX_POLL_AGE_MS = 15_000;

/**
 * startSinkService wires the sink: MongoDB client and indexes, Kafka consumer group over the
 * operations, observed and drift topics with the batch handler, Avro serde, idempotent producer
 * for dead letters, metrics, the stuck sweep, and the ops server. Readiness is red while the
 * consumer is not polling or MongoDB is unreachable (the consumer is paused meanwhile).
 */
export async function startSinkService(options: SinkServiceOptions): Promise<SinkService> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger.child({ component: 'sink-service' });
  const metrics = createMetrics({ service: 'sink' });
  const sinkMetrics = createSinkMetrics(metrics.registry, metrics);
  const lifecycle = createLifecycle({ clock });
  const mongoComponent = lifecycle.component('mongo');
  const consumerComponent = lifecycle.component('kafka-consumer', { maxProgressAgeMs: MAX_POLL_AGE_MS });

  const mongo = new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 5_000 });
  await mongo.connect();
  const db = mongo.db(config.MONGO_DATABASE);
  await ensureSinkIndexes(db);
  const base = createMongoStore(db);
  const store = options.wrapStore === undefined ? base : options.wrapStore(base);
  mongoComponent.transition('running');

  const kafka = createKafkaClient(kafkaClientConfigFromEnv(config), options.logger);
  // The topics this service reads and writes exist before it subscribes (create missing ones,
  // refuse ones whose partition count or cleanup policy differ from the contract).
  const admin = await createKafkaAdmin(kafka);
  try {
    await admin.ensureTopics(
      (['operations', 'observed', 'drift', 'deadletter'] as const).map((id) => ({
        name: topicNamesFromEnv(config)[id],
        partitions: config.SINK_TOPIC_PARTITIONS_COUNT,
        replicationFactor: config.SINK_TOPIC_REPLICATION_COUNT,
        compacted: topicContracts[id].compacted,
      })),
    );
  } finally {
    await admin.disconnect();
  }
  const serde = createAvroSerde({
    schemaRegistryUrl: config.SCHEMA_REGISTRY_URL,
    clientId: config.KAFKA_CLIENT_ID,
    topicNames: {
      operations: config.TOPIC_OPERATIONS,
      observed: config.TOPIC_OBSERVED,
      drift: config.TOPIC_DRIFT,
      deadletter: config.TOPIC_DEADLETTER,
    },
    ...(config.SCHEMA_REGISTRY_USERNAME === ''
      ? {}
      : { auth: { username: config.SCHEMA_REGISTRY_USERNAME, password: config.SCHEMA_REGISTRY_PASSWORD } }),
  });
  const producer = await createIdempotentProducer(kafka, { metrics });

  // The writer pauses the consumer built after it; the reference is filled in below.
  const consumerRef: { current?: KafkaConsumerPort } = {};
  const writer = createChunkWriter({
    store,
    maxAttempts: config.SINK_RETRY_MAX_ATTEMPTS_COUNT,
    initialDelayMs: config.SINK_RETRY_INITIAL_DELAY_MS,
    maxDelayMs: config.SINK_RETRY_MAX_DELAY_MS,
    clock,
    logger: options.logger,
    metrics: sinkMetrics,
    onUnavailable: (error) => {
      consumerRef.current?.pause();
      if (mongoComponent.state === 'running') {
        const reason = error instanceof Error ? error.message : String(error);
        mongoComponent.transition('starting', `MongoDB unreachable: ${reason}`);
      }
    },
    onAvailable: () => {
      if (mongoComponent.state === 'starting') mongoComponent.transition('running');
      consumerRef.current?.resume();
    },
  });
  const sink = createSink({
    writer,
    chunkSize: config.SINK_CHUNK_SIZE_COUNT,
    chunkMaxWaitMs: config.SINK_CHUNK_MAX_WAIT_MS,
    maxInFlightChunks: config.SINK_MAX_IN_FLIGHT_CHUNKS_COUNT,
    logger: options.logger,
  });
  const handler = createBatchHandler({
    topics: {
      operations: config.TOPIC_OPERATIONS,
      observed: config.TOPIC_OBSERVED,
      drift: config.TOPIC_DRIFT,
    },
    decode: (id, value) => serde.decode(id, value),
    sink,
    deadLetters: createDeadLetterPublisher({
      producer,
      encode: (letter) => serde.encode('deadletter', letter),
      topic: config.TOPIC_DEADLETTER,
      metrics,
    }),
    service: 'sink',
    clock,
    logger: options.logger,
  });
  const consumer = createConsumerRunner(kafka, {
    groupId: config.SINK_GROUP_ID,
    topics: [config.TOPIC_OPERATIONS, config.TOPIC_OBSERVED, config.TOPIC_DRIFT],
    handler,
    logger: options.logger,
    concurrency: config.SINK_PARTITIONS_CONCURRENCY_COUNT,
    component: consumerComponent,
    metrics,
  });
  consumerRef.current = consumer;
  await consumer.start();

  const sweeper = createStuckSweeper({
    store,
    clock,
    stuckAfterMs: config.SINK_OPERATION_STUCK_AFTER_MS,
    logger: options.logger,
  });
  const sweepTimer = setInterval(() => {
    sweeper
      .sweep()
      .catch((error: unknown) => logger.warn({ err: error }, 'stuck sweep failed; next interval retries'));
  }, config.SINK_STUCK_SWEEP_INTERVAL_MS);
  sweepTimer.unref();

  const health = createHealth({ lifecycle, eventLoop: createEventLoopMonitor({ intervalMs: 1_000 }) });
  let ops: OpsServer | undefined;
  if (options.opsServer !== false) {
    ops = await startOpsServer({
      port: config.HTTP_PORT,
      host: config.HTTP_HOST,
      registry: metrics.registry,
      health,
    });
  }
  logger.info({ groupId: config.SINK_GROUP_ID, opsPort: ops?.port }, 'sink started');

  return {
    sink,
    consumer,
    health,
    sweeper,
    opsPort: ops?.port,
    async stop() {
      clearInterval(sweepTimer);
      mongoComponent.transition('draining');
      // A graceful stop lets the running batch finish and commit; only then is the sink stopped.
      // While MongoDB is unreachable the batch cannot finish: abort it instead (nothing is
      // committed for it; the next owner reads it again).
      if (writer.unavailable) sink.stop();
      await consumer.stop();
      sink.stop();
      await producer.disconnect();
      await mongo.close();
      await ops?.close();
      mongoComponent.transition('stopped');
      logger.info(sink.progress(), 'sink stopped');
    },
  };
}
