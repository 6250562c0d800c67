import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TopicId } from '@driftline/schemas';
import { createAvroSerde, createCompactedReader, createKafkaClient } from '@driftline/shared/kafka';
import { createLogger } from '@driftline/shared/logging';
import { spawnNodeService, type ChildService } from '@driftline/shared/testing';

const mainPath = fileURLToPath(new URL('../main.ts', import.meta.url));

/** DesiredTestNames are per-test resources: database, topics, instance name, credentials key. */
export interface DesiredTestNames {
  readonly database: string;
  readonly desiredTopic: string;
  readonly providersTopic: string;
  readonly deadletterTopic: string;
  readonly leaseTopic: string;
  readonly instance: string;
  readonly credentialsKey: string;
}

/** uniqueNames returns fresh names so tests never share a database, topic or group. */
export function uniqueNames(prefix: string): DesiredTestNames {
  const id = `${prefix}_${randomUUID().slice(0, 8)}`;
  return {
    database: id,
    desiredTopic: `${id}.desired`,
    providersTopic: `${id}.providers`,
    deadletterTopic: `${id}.deadletter`,
    leaseTopic: `${id}.lease`,
    instance: id,
    credentialsKey: randomBytes(32).toString('base64'),
  };
}

/** StackLike is the subset of the stack endpoints the harness needs. */
export interface StackLike {
  readonly kafkaBrokers: readonly string[];
  readonly schemaRegistryUrl: string;
  readonly mongoUrl: string;
}

/** environmentFor builds the desired service's environment for one test. */
export function environmentFor(
  stack: StackLike,
  names: DesiredTestNames,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    MONGO_URL: stack.mongoUrl,
    MONGO_DATABASE: names.database,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    TOPIC_DESIRED: names.desiredTopic,
    TOPIC_PROVIDERS: names.providersTopic,
    TOPIC_DEADLETTER: names.deadletterTopic,
    DESIRED_LEASE_TOPIC: names.leaseTopic,
    DESIRED_INSTANCE_NAME: names.instance,
    DESIRED_CREDENTIALS_KEY: names.credentialsKey,
    DESIRED_TOPIC_PARTITIONS_COUNT: '3',
    DESIRED_LEASE_SESSION_TIMEOUT_MS: '6000',
    DESIRED_MAX_AWAIT_TIME_MS: '100',
    DESIRED_IDLE_POSITION_SAVE_INTERVAL_MS: '200',
    HTTP_PORT: '0',
    LOG_LEVEL: 'debug',
    ...extra,
  };
}

/** DesiredProcess is a desired service running as a child process, its stdout/stderr captured. */
export type DesiredProcess = ChildService;

/** startDesired spawns `node services/desired/src/main.ts` with `env`. */
export function startDesired(env: Record<string, string>): DesiredProcess {
  return spawnNodeService(mainPath, [], env);
}

/** TopicRecord is one decoded record read back from a topic. */
export interface TopicRecord<T> {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: T | null;
  readonly headers: Record<string, string>;
  /** The raw value bytes (for canary checks). */
  readonly raw: Buffer | null;
}

/**
 * readTopic reads a topic from the beginning to its current end and decodes values with the
 * topic's Avro schema. Uses a throw-away consumer group.
 */
export async function readTopic<T>(stack: StackLike, topic: string, id: TopicId): Promise<TopicRecord<T>[]> {
  const logger = createLogger({ service: 'desired-test-reader', level: 'silent' });
  const kafka = createKafkaClient({ brokers: stack.kafkaBrokers, clientId: 'desired-test-reader' }, logger);
  const reader = createCompactedReader(kafka, logger, { groupIdPrefix: 'desired-test', timeoutMs: 60_000 });
  const serde = createAvroSerde({ schemaRegistryUrl: stack.schemaRegistryUrl, topicNames: { [id]: topic } });
  const records: TopicRecord<T>[] = [];
  await reader.scan({ topics: [topic] }, async (batch) => {
    for (const record of batch) {
      records.push({
        partition: record.partition,
        offset: record.offset,
        key: record.key,
        value: (await serde.decode(id, record.value)) as T | null,
        headers: { ...record.headers },
        raw: record.value,
      });
    }
  });
  return records;
}

/** latestByKey compacts records like the broker would: the last value per key, tombstones delete. */
export function latestByKey<T>(records: readonly TopicRecord<T>[]): Map<string, T> {
  const table = new Map<string, T>();
  for (const record of records) {
    if (record.key === null) continue;
    if (record.value === null) table.delete(record.key);
    else table.set(record.key, record.value);
  }
  return table;
}

/** eventually polls `check` until it returns true or the timeout passes (then throws with `describe()`). */
export async function eventually(
  check: () => Promise<boolean>,
  describe: () => Promise<string> | string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms: ${await describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
