import { topicContracts } from '@driftline/schemas';
import { createKeyring, sealCredentials } from '@driftline/shared/credentials';
import { DriftlineError, judge } from '@driftline/shared/errors';
import { createHealth, startOpsServer } from '@driftline/shared/health';
import {
  createAvroSerde,
  createCompactedReader,
  createIdempotentProducer,
  createKafkaAdmin,
  createKafkaClient,
  createLease,
  kafkaClientConfigFromEnv,
  type TopicSpec,
} from '@driftline/shared/kafka';
import { createLifecycle } from '@driftline/shared/lifecycle';
import type { Logger } from '@driftline/shared/logging';
import { createMetrics } from '@driftline/shared/metrics';
import { createBackoff } from '@driftline/shared/resilience';
import { MongoClient } from 'mongodb';
import { SOURCE_COLLECTIONS, type SourceCollection } from './change.ts';
import { CollectionPipeline } from './collection-pipeline.ts';
import type { DesiredConfig } from './config.ts';
import { createDesiredMetrics } from './desired-metrics.ts';
import { createKafkaPublisher } from './kafka-publisher.ts';
import type { CredentialsSealer } from './mapping.ts';
import { createMongoPositionStore } from './mongo-position-store.ts';
import { createMongoSource } from './mongo-source.ts';
import { createTopicKeyIndex } from './topic-key-index.ts';
import { connectMongo } from './connect-mongo.ts';

/** DesiredService is the running desired-state service. */
export interface DesiredService {
  /** stop leaves the lease group (a standby takes over at once), finishes the batch in flight, closes everything. */
  stop(): Promise<void>;
  readonly opsPort: number;
  isActive(): boolean;
  /** fatal resolves with the error that made the service give up (authentication refused, bad key). */
  readonly fatal: Promise<Error>;
}

/** StartOptions: the loaded config and the root logger. */
export interface StartOptions {
  readonly config: DesiredConfig;
  readonly logger: Logger;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * startDesiredService wires the desired service: ops server, Kafka (topics ensured, schemas
 * registered, idempotent producer), MongoDB (connected with bounded exponential backoff;
 * authentication errors are fatal), the lease, and one supervised CollectionPipeline per source
 * collection that runs only while this instance holds the lease. A failed pipeline restarts
 * after a jittered backoff from its stored position; readiness is red while MongoDB is down or
 * a pipeline stalls.
 */
export async function startDesiredService({ config, logger }: StartOptions): Promise<DesiredService> {
  const log = logger.child({ component: 'service' });
  const now = () => Date.now();
  const metrics = createMetrics({ service: 'desired' });
  const observer = createDesiredMetrics(metrics, now);
  const lifecycle = createLifecycle();
  const mongoHealth = lifecycle.component('mongo');
  const publisherHealth = lifecycle.component('publisher', { maxProgressAgeMs: config.DESIRED_STALL_MS });
  const ops = await startOpsServer({
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    registry: metrics.registry,
    health: createHealth({ lifecycle }),
  });
  log.info({ opsPort: ops.port, opsHost: ops.host }, 'ops server listening');
  let reportFatal: (error: Error) => void = () => undefined;
  const fatal = new Promise<Error>((resolve) => (reportFatal = resolve));

  const keyring =
    config.DESIRED_CREDENTIALS_KEY === ''
      ? null
      : createKeyring(config.DESIRED_CREDENTIALS_KEY_ID, config.DESIRED_CREDENTIALS_KEY);
  const seal: CredentialsSealer | null =
    keyring === null ? null : (providerId, credentials) => sealCredentials(keyring, providerId, credentials);
  if (keyring === null)
    log.warn('DESIRED_CREDENTIALS_KEY is empty: providers with inline credentials will be dead-lettered');

  const kafka = createKafkaClient(kafkaClientConfigFromEnv(config), logger);
  const topics = {
    databases: config.TOPIC_DESIRED,
    providers: config.TOPIC_PROVIDERS,
    deadletter: config.TOPIC_DEADLETTER,
  };
  const admin = await createKafkaAdmin(kafka);
  const specs: TopicSpec[] = [
    {
      name: topics.databases,
      partitions: config.DESIRED_TOPIC_PARTITIONS_COUNT,
      replicationFactor: config.DESIRED_TOPIC_REPLICATION_COUNT,
      compacted: topicContracts.desired.compacted,
    },
    {
      name: topics.providers,
      partitions: config.DESIRED_TOPIC_PARTITIONS_COUNT,
      replicationFactor: config.DESIRED_TOPIC_REPLICATION_COUNT,
      compacted: topicContracts.providers.compacted,
    },
    {
      name: topics.deadletter,
      partitions: config.DESIRED_TOPIC_PARTITIONS_COUNT,
      replicationFactor: config.DESIRED_TOPIC_REPLICATION_COUNT,
      compacted: topicContracts.deadletter.compacted,
    },
    // The lease topic carries no data: one partition (the lease), short retention.
    {
      name: config.DESIRED_LEASE_TOPIC,
      partitions: 1,
      replicationFactor: config.DESIRED_TOPIC_REPLICATION_COUNT,
      compacted: false,
      configs: { 'retention.ms': '3600000' },
    },
  ];
  // Topics provisioned elsewhere (other partition counts, e.g. providers.v1) are left alone: only
  // missing ones are created here, so a differently sized existing topic is not a startup failure.
  const existing = new Set((await admin.describeTopics(specs.map((spec) => spec.name))).map((t) => t.name));
  const missing = specs.filter(
    (spec, i) => !existing.has(spec.name) && specs.findIndex((s) => s.name === spec.name) === i,
  );
  if (missing.length > 0) await admin.ensureTopics(missing);
  await admin.disconnect();
  const serde = createAvroSerde({
    schemaRegistryUrl: config.SCHEMA_REGISTRY_URL,
    clientId: config.KAFKA_CLIENT_ID,
    topicNames: { desired: topics.databases, providers: topics.providers, deadletter: topics.deadletter },
    ...(config.SCHEMA_REGISTRY_USERNAME === ''
      ? {}
      : { auth: { username: config.SCHEMA_REGISTRY_USERNAME, password: config.SCHEMA_REGISTRY_PASSWORD } }),
  });
  await serde.register(['desired', 'providers', 'deadletter']);
  const producer = await createIdempotentProducer(kafka);
  const publisher = createKafkaPublisher({
    producer,
    serde,
    topics,
    mongoDatabase: config.MONGO_DATABASE,
    sendChunkSize: config.DESIRED_SEND_CHUNK_COUNT,
    now,
    onSent: (records) => {
      const byTopic = new Map<string, number>();
      for (const record of records) byTopic.set(record.topic, (byTopic.get(record.topic) ?? 0) + 1);
      for (const [topic, count] of byTopic) metrics.record({ type: 'kafka.produced', topic, count });
    },
  });
  const keyIndexSource = createTopicKeyIndex({
    reader: createCompactedReader(kafka, logger, {
      groupIdPrefix: `${config.DESIRED_INSTANCE_NAME}-key-index`,
      timeoutMs: config.DESIRED_INDEX_READ_TIMEOUT_MS,
    }),
    topics,
  });

  const mongo = new MongoClient(config.MONGO_URL, {
    serverSelectionTimeoutMS: 10_000,
    appName: 'driftline-desired',
  });
  mongo.on(
    'serverHeartbeatFailed',
    () => mongoHealth.state === 'running' && mongoHealth.transition('starting', 'heartbeat failed'),
  );
  mongo.on(
    'serverHeartbeatSucceeded',
    () => mongoHealth.state === 'starting' && connected && mongoHealth.transition('running'),
  );
  let connected = false;
  const db = mongo.db(config.MONGO_DATABASE);
  const source = createMongoSource(db, {
    positionsCollection: config.DESIRED_POSITIONS_COLLECTION,
    collectionNames: {
      databases: config.DESIRED_DATABASES_COLLECTION,
      providers: config.DESIRED_PROVIDERS_COLLECTION,
    },
    fullDocument: config.DESIRED_FULL_DOCUMENT,
    maxAwaitTimeMs: config.DESIRED_MAX_AWAIT_TIME_MS,
    clockProbeTimeoutMs: 10_000,
  });
  const positions = createMongoPositionStore(
    db,
    config.DESIRED_POSITIONS_COLLECTION,
    config.DESIRED_INSTANCE_NAME,
  );
  const backoffOptions = {
    initialDelayMs: config.DESIRED_RESTART_INITIAL_DELAY_MS,
    maxDelayMs: config.DESIRED_RESTART_MAX_DELAY_MS,
  };

  const lifetime = new AbortController();
  const giveUp = (error: Error): void => {
    log.fatal({ err: error }, 'giving up');
    reportFatal(error);
  };

  let active: { controller: AbortController; done: Promise<void> } | null = null;

  async function supervise(collection: SourceCollection, signal: AbortSignal): Promise<void> {
    const backoff = createBackoff(backoffOptions);
    const pipelineLog = logger.child({ component: 'pipeline', collection });
    while (!signal.aborted) {
      const pipeline = new CollectionPipeline({
        collection,
        source,
        positions,
        keyIndexSource,
        publisher,
        observer,
        logger,
        now,
        maxDocumentBytes: config.DESIRED_MAX_DOCUMENT_BYTES,
        seal,
        snapshotPageSize: config.DESIRED_SNAPSHOT_PAGE_COUNT,
        batchMaxChanges: config.DESIRED_BATCH_MAX_COUNT,
        idlePositionSaveIntervalMs: config.DESIRED_IDLE_POSITION_SAVE_INTERVAL_MS,
        onProgress: () => {
          publisherHealth.progress();
          backoff.reset();
        },
      });
      try {
        await pipeline.run(signal);
      } catch (error) {
        observer.streamFailed(collection, error);
        const verdict = judge(error);
        if (verdict.code === 'MONGO_AUTH') {
          mongoHealth.transition('failed', 'authentication refused');
          giveUp(
            new DriftlineError(
              'MONGO_AUTH',
              'MongoDB refused the credentials in MONGO_URL: fix them and restart',
              { cause: error },
            ),
          );
          return;
        }
        if (verdict.code === 'MONGO_UNAVAILABLE' && mongoHealth.state === 'running')
          mongoHealth.transition('starting', 'pipeline lost MongoDB');
        const delay = backoff.next();
        pipelineLog.warn(
          { err: error, code: verdict.code, attempt: backoff.attempt, delayMs: delay },
          'pipeline failed: restarting from the stored position',
        );
        await sleep(delay, signal);
      }
    }
  }

  function startPipelines(): void {
    if (active !== null || lifetime.signal.aborted) return;
    const controller = new AbortController();
    const done = Promise.all(
      SOURCE_COLLECTIONS.map((collection) => supervise(collection, controller.signal)),
    ).then(() => undefined);
    active = { controller, done };
    publisherHealth.transition('running', 'lease held: publishing');
  }

  // Every pipeline run ever started, so stop() can wait for one still finishing after a lease loss.
  const running = new Set<Promise<void>>();

  async function stopPipelines(): Promise<void> {
    const current = active;
    active = null;
    if (current !== null) {
      current.controller.abort();
      running.add(current.done);
      void current.done.finally(() => running.delete(current.done));
    }
    await Promise.all([...running]);
  }

  const lease = createLease({
    kafka,
    topic: config.DESIRED_LEASE_TOPIC,
    groupId: `${config.DESIRED_INSTANCE_NAME}-lease`,
    sessionTimeoutMs: config.DESIRED_LEASE_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: config.DESIRED_LEASE_HEARTBEAT_INTERVAL_MS,
    logger,
    onFatal: (error) =>
      giveUp(
        new DriftlineError('KAFKA_FATAL', 'the lease consumer crashed and will not restart', {
          cause: error,
        }),
      ),
    onChange: (isActive) => {
      observer.setActive(isActive);
      if (isActive) startPipelines();
      else void stopPipelines();
    },
  });

  let outcome: 'connected' | 'aborted';
  try {
    outcome = await connectMongo(
      {
        attempt: async () => {
          await mongo.connect();
          await db.command({ ping: 1 });
        },
        backoff: backoffOptions,
        sleep,
        onRetry: (error, attempt, delayMs) =>
          log.warn({ err: error, attempt, delayMs }, 'MongoDB unreachable: retrying'),
      },
      lifetime.signal,
    );
  } catch (error) {
    // Authentication refused: fatal, readiness red, and the reason in the log.
    mongoHealth.transition('failed', 'authentication refused');
    giveUp(error as Error);
    outcome = 'aborted';
  }
  if (outcome === 'aborted') {
    return { stop: async () => undefined, opsPort: ops.port, isActive: () => false, fatal };
  }
  connected = true;
  mongoHealth.transition('running');
  publisherHealth.transition('running', 'standby until the lease is acquired');
  // A standby is healthy and ready, it just does not publish: its progress is "still standing by".
  const standbyTicker = setInterval(
    () => {
      if (active === null) publisherHealth.progress();
    },
    Math.max(250, Math.floor(config.DESIRED_STALL_MS / 4)),
  );
  standbyTicker.unref();
  await lease.start();
  log.info({ opsPort: ops.port }, 'desired service started');

  return {
    opsPort: ops.port,
    isActive: () => lease.isActive(),
    fatal,
    async stop(): Promise<void> {
      lifetime.abort();
      clearInterval(standbyTicker);
      if (publisherHealth.state !== 'stopped') publisherHealth.transition('draining');
      await lease
        .stop()
        .catch((error: unknown) => log.warn({ err: error }, 'leaving the lease group failed'));
      await stopPipelines();
      await producer.disconnect();
      await mongo.close();
      publisherHealth.transition('stopped');
      if (mongoHealth.state !== 'failed') mongoHealth.transition('stopped');
      await ops.close();
    },
  };
}
