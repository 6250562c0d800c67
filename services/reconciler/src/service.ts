import type { Config } from '@driftline/shared/config';
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
  createKafkaAdmin,
  createKafkaClient,
  kafkaClientConfigFromEnv,
  reportConsumerLag,
  topicNamesFromEnv,
  withCoPartitionedAssignment,
  type KafkaConsumerPort,
} from '@driftline/shared/kafka';
import { createLifecycle } from '@driftline/shared/lifecycle';
import type { Logger } from '@driftline/shared/logging';
import { createMetrics } from '@driftline/shared/metrics';
import type { configSchema } from './config.ts';
import { HealthTable, startHealthTableReader } from './kafka-health-table.ts';
import { PartitionManager } from './partition-manager.ts';
import type { ReconcilerConfig } from './step.ts';

/** ReconcilerServiceConfig is the parsed, frozen reconciler configuration. */
export type ReconcilerServiceConfig = Config<(typeof configSchema)['shape']>;

/** ReconcilerServiceOptions: the config, a logger, and switches for tests and benchmarks. */
export interface ReconcilerServiceOptions {
  readonly config: ReconcilerServiceConfig;
  readonly logger: Logger;
  /** Start the /metrics, /healthz, /readyz server (default true). */
  readonly opsServer?: boolean;
}

/** ReconcilerService is a running reconciler instance. */
export interface ReconcilerService {
  readonly opsPort: number | undefined;
  /** Partition numbers this instance holds state for. */
  partitions(): number[];
  /** True when the consumer runs and every assigned partition is rebuilt. */
  ready(): boolean;
  /** Keys with state on this instance. */
  stateSize(): number;
  /** stop: finish the batch in flight, commit, leave the group (partitions move), close. */
  stop(): Promise<void>;
}

/** reconcilerConfigOf is the core's timing slice of the service configuration. */
export function reconcilerConfigOf(config: ReconcilerServiceConfig): ReconcilerConfig {
  return {
    persistMs: config.RECONCILER_PERSIST_MS,
    convergenceGraceMs: config.RECONCILER_CONVERGENCE_GRACE_MS,
    staleAfterMs: config.RECONCILER_STALE_AFTER_MS,
  };
}

/**
 * startReconcilerService wires the reconciler: one consumer group over the co-partitioned desired
 * and observed topics (co-partitioned assignment, commit after the outputs are acknowledged), the
 * provider-health topic read in full as a global table, per-partition state rebuilt on assignment
 * (`PartitionManager`), the idempotent producer with the Avro serde for drift, operations and dead
 * letters, consumer-lag metrics, and the ops server whose `/readyz` is red until every assigned
 * partition is rebuilt and whenever the consumer stops polling.
 */
export async function startReconcilerService(options: ReconcilerServiceOptions): Promise<ReconcilerService> {
  const { config } = options;
  const logger = options.logger.child({ component: 'reconciler' });
  const topics = topicNamesFromEnv(config);
  const groupId = config.RECONCILER_GROUP_ID;
  const metrics = createMetrics({ service: 'reconciler' });
  const kafka = createKafkaClient(kafkaClientConfigFromEnv(config), logger);
  const serde = createAvroSerde({
    schemaRegistryUrl: config.SCHEMA_REGISTRY_URL,
    clientId: config.KAFKA_CLIENT_ID,
    topicNames: topics,
    ...(config.SCHEMA_REGISTRY_USERNAME === ''
      ? {}
      : { auth: { username: config.SCHEMA_REGISTRY_USERNAME, password: config.SCHEMA_REGISTRY_PASSWORD } }),
  });
  await serde.register(['drift', 'operations', 'deadletter']);
  const producer = await createIdempotentProducer(kafka, { metrics });
  const admin = await createKafkaAdmin(kafka);

  const lifecycle = createLifecycle();
  const partitionsComponent = lifecycle.component('partitions');
  const healthComponent = lifecycle.component('provider-health');
  const health = new HealthTable();
  const healthReader = await startHealthTableReader({
    kafka,
    serde,
    topic: topics.providerHealth,
    table: health,
    logger,
    groupPrefix: groupId,
  });
  void healthReader.loaded.then(() => {
    if (healthComponent.state === 'starting') healthComponent.transition('running');
  });

  const manager = new PartitionManager({
    groupId,
    topics,
    config: reconcilerConfigOf(config),
    serde,
    producer,
    admin,
    reader: createCompactedReader(kafka, logger, {
      groupIdPrefix: `${groupId}-reader`,
      timeoutMs: config.RECONCILER_REBUILD_TIMEOUT_MS,
    }),
    health,
    logger,
    metrics,
    onReadinessChange: (ready) => {
      if (partitionsComponent.state === 'starting' || partitionsComponent.state === 'running')
        partitionsComponent.transition(
          ready ? 'running' : 'starting',
          ready ? undefined : 'rebuilding partitions',
        );
    },
  });
  partitionsComponent.transition('running');

  const consumer: KafkaConsumerPort = createConsumerRunner(withCoPartitionedAssignment(kafka), {
    groupId,
    topics: [topics.desired, topics.observed],
    handler: manager.handle,
    logger,
    fromBeginning: true,
    concurrency: config.RECONCILER_PARTITIONS_CONCURRENCY_COUNT,
    maxBytesPerPartition: config.RECONCILER_FETCH_MAX_BYTES,
    sessionTimeoutMs: config.RECONCILER_SESSION_TIMEOUT_MS,
    onAssigned: manager.onAssigned,
    onRevoked: manager.onRevoked,
    // A fetch returns within 1 s on an idle topic; 30 s without one means the loop is stuck.
    component: lifecycle.component('inputs-consumer', { maxProgressAgeMs: 30_000 }),
    metrics,
  });
  await consumer.start();

  // drift.open is a gauge per kind: report every kind seen so far, 0 once its drifts resolved.
  const kindsSeen = new Set<string>();
  const lagTimer = setInterval(() => {
    const open = manager.openDriftByKind();
    for (const kind of open.keys()) kindsSeen.add(kind);
    for (const kind of kindsSeen) metrics.record({ type: 'drift.open', kind, count: open.get(kind) ?? 0 });
    reportConsumerLag(admin, metrics, groupId, [topics.desired, topics.observed], Date.now()).catch(
      (error: unknown) => logger.debug({ err: error }, 'consumer lag not measured'),
    );
  }, config.RECONCILER_LAG_INTERVAL_MS);
  lagTimer.unref();

  let ops: OpsServer | undefined;
  if (options.opsServer !== false) {
    ops = await startOpsServer({
      port: config.HTTP_PORT,
      host: config.HTTP_HOST,
      registry: metrics.registry,
      health: createHealth({ lifecycle, eventLoop: createEventLoopMonitor({ intervalMs: 1000 }) }),
      logger,
    });
  }
  logger.info({ groupId, opsPort: ops?.port, topics }, 'reconciler started');

  let stopping: Promise<void> | undefined;
  return {
    opsPort: ops?.port,
    partitions: () => manager.partitions(),
    ready: () => consumer.state() === 'running' && manager.ready(),
    stateSize: () => manager.stateSize(),
    stop() {
      stopping ??= (async () => {
        clearInterval(lagTimer);
        partitionsComponent.transition('draining');
        healthComponent.transition('draining');
        await consumer.stop();
        await manager.stop();
        await healthReader.stop();
        await producer.disconnect();
        await admin.disconnect();
        await ops?.close();
        partitionsComponent.transition('stopped');
        healthComponent.transition('stopped');
        logger.info({ groupId }, 'reconciler stopped');
      })();
      return stopping;
    },
  };
}
