import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { pino } from 'pino';
import type { DeadLetter, TopicValues } from '@driftline/schemas';
import { loadConfig } from '@driftline/shared/config';
import {
  createAvroSerde,
  createIdempotentProducer,
  createKafkaAdmin,
  createKafkaClient,
  type AvroSerde,
  type KafkaAdminPort,
  type KafkaProducerPort,
  type RecordPosition,
} from '@driftline/shared/kafka';
import type { Clock } from '@driftline/shared/resilience';
import { configSchema, type SinkConfig } from '../config.ts';
import { startSinkService, type SinkService } from '../service.ts';
import type { SinkStorePort } from '../store.ts';

/** HarnessEndpoints is where the local stack listens. */
export interface HarnessEndpoints {
  readonly kafkaBrokers: readonly string[];
  readonly schemaRegistryUrl: string;
  readonly mongoUrl: string;
}

type SinkTopic = 'operations' | 'observed' | 'drift';

/**
 * SinkHarness runs sinks against the real broker, registry and Mongo-compatible server with
 * topics, consumer group and database of its own (a fresh suffix per harness), so tests never see
 * each other's data.
 */
export class SinkHarness {
  readonly run = randomUUID().slice(0, 8);
  readonly topics: Readonly<Record<SinkTopic | 'deadletter', string>>;
  readonly database: string;
  readonly #endpoints: HarnessEndpoints;
  readonly #kafka: ReturnType<typeof createKafkaClient>;
  readonly #sinks: SinkService[] = [];
  #admin?: KafkaAdminPort;
  #producer?: KafkaProducerPort;
  #serde?: AvroSerde;
  #mongo?: MongoClient;

  constructor(endpoints: HarnessEndpoints, partitions = 3) {
    this.#endpoints = endpoints;
    this.#partitions = partitions;
    this.topics = {
      operations: `sink-${this.run}.operations`,
      observed: `sink-${this.run}.observed`,
      drift: `sink-${this.run}.drift`,
      deadletter: `sink-${this.run}.deadletter`,
    };
    this.database = `sink_${this.run}`;
    this.#kafka = createKafkaClient(
      { brokers: [...endpoints.kafkaBrokers], clientId: 'sink-harness' },
      pino({ level: 'silent' }),
    );
  }

  readonly #partitions: number;

  /** start creates the topics, registers the schemas and connects the producer and MongoDB. */
  async start(): Promise<void> {
    this.#admin = await createKafkaAdmin(this.#kafka);
    await this.#admin.ensureTopics(
      (['operations', 'observed', 'drift', 'deadletter'] as const).map((id) => ({
        name: this.topics[id],
        partitions: this.#partitions,
        replicationFactor: 1,
        compacted: id === 'observed',
      })),
    );
    this.#serde = createAvroSerde({
      schemaRegistryUrl: this.#endpoints.schemaRegistryUrl,
      topicNames: this.topics,
    });
    await this.#serde.register(['operations', 'observed', 'drift', 'deadletter']);
    this.#producer = await createIdempotentProducer(this.#kafka);
    this.#mongo = new MongoClient(this.#endpoints.mongoUrl);
    await this.#mongo.connect();
  }

  get db(): Db {
    if (this.#mongo === undefined) throw new Error('SinkHarness: start() first');
    return this.#mongo.db(this.database);
  }

  /** config is the sink's configuration for this harness, with `env` overrides. */
  config(env: Record<string, string> = {}): SinkConfig {
    return loadConfig(configSchema, {
      LOG_LEVEL: 'silent',
      KAFKA_BROKERS: this.#endpoints.kafkaBrokers.join(','),
      KAFKA_CLIENT_ID: `sink-${this.run}`,
      SCHEMA_REGISTRY_URL: this.#endpoints.schemaRegistryUrl,
      MONGO_URL: this.#endpoints.mongoUrl,
      MONGO_DATABASE: this.database,
      TOPIC_OPERATIONS: this.topics.operations,
      TOPIC_OBSERVED: this.topics.observed,
      TOPIC_DRIFT: this.topics.drift,
      TOPIC_DEADLETTER: this.topics.deadletter,
      SINK_GROUP_ID: `sink-${this.run}`,
      SINK_CHUNK_MAX_WAIT_MS: '20',
      SINK_RETRY_INITIAL_DELAY_MS: '10',
      SINK_RETRY_MAX_DELAY_MS: '200',
      HTTP_PORT: '0',
      SINK_TOPIC_PARTITIONS_COUNT: String(this.#partitions),
      ...env,
    });
  }

  /** startSink starts a sink service in this process; `stopAll` stops it. */
  async startSink(
    options: {
      env?: Record<string, string>;
      wrapStore?: (store: SinkStorePort) => SinkStorePort;
      clock?: Clock;
    } = {},
  ): Promise<SinkService> {
    const service = await startSinkService({
      config: this.config(options.env),
      logger: pino({ level: 'silent' }),
      opsServer: false,
      ...(options.wrapStore === undefined ? {} : { wrapStore: options.wrapStore }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
    this.#sinks.push(service);
    return service;
  }

  /** produce encodes and sends records (null value: tombstone), in order, keyed by database key. */
  async produce<K extends SinkTopic>(
    id: K,
    records: readonly { key: string; value: TopicValues[K] | null }[],
  ): Promise<readonly RecordPosition[]> {
    const serde = this.#serde;
    const producer = this.#producer;
    if (serde === undefined || producer === undefined) throw new Error('SinkHarness: start() first');
    const out = await Promise.all(
      records.map(async (record) => ({
        topic: this.topics[id],
        key: record.key,
        value: await serde.encode(id, record.value),
      })),
    );
    return producer.send(out);
  }

  /** produceRaw sends raw bytes (e.g. a value that is not Avro). */
  async produceRaw(id: SinkTopic, key: string, value: Buffer): Promise<void> {
    await this.#producer?.send([{ topic: this.topics[id], key, value }]);
  }

  /** decodeDeadLetter reads a dead-letter value. */
  async decodeDeadLetter(value: Buffer): Promise<DeadLetter | null> {
    if (this.#serde === undefined) throw new Error('SinkHarness: start() first');
    return this.#serde.decode('deadletter', value);
  }

  /** committed is the group's committed offsets on `id`'s topic, partition → next offset. */
  async committed(id: SinkTopic, group = `sink-${this.run}`): Promise<Map<number, string | null>> {
    const offsets = (await this.#admin?.fetchOffsets(group, [this.topics[id]])) ?? [];
    return new Map(offsets.map((o) => [o.partition, o.committed]));
  }

  /** ends is the high watermark of every partition of `id`'s topic. */
  async ends(id: SinkTopic): Promise<Map<number, string>> {
    const offsets = (await this.#admin?.fetchOffsets(`ends-${this.run}`, [this.topics[id]])) ?? [];
    return new Map(offsets.map((o) => [o.partition, o.high]));
  }

  get kafka(): ReturnType<typeof createKafkaClient> {
    return this.#kafka;
  }

  /** stopSinks stops every sink started here (graceful). */
  async stopSinks(): Promise<void> {
    const sinks = this.#sinks.splice(0);
    await Promise.all(sinks.map((sink) => sink.stop()));
  }

  /** stop stops the sinks, drops the database and disconnects. */
  async stop(): Promise<void> {
    await this.stopSinks();
    await this.#mongo
      ?.db(this.database)
      .dropDatabase()
      .catch(() => undefined);
    await this.#mongo?.close();
    await this.#producer?.disconnect();
    await this.#admin?.disconnect();
  }
}

/** eventually polls `check` until it returns without throwing, or rethrows its last error after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
