import type { ICustomPartitioner, Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { noopMetrics, type MetricsPort } from '@driftline/shared/metrics';
import { toKafkaError } from './kafka-error.ts';
import type { KafkaProducerPort, OutgoingRecord, RecordPosition } from './ports.ts';

/** ProducerOptions tune the idempotent producer; every field has a safe default. */
export interface ProducerOptions {
  /** How long the leader waits for the in-sync replicas before failing a send (ms). */
  readonly ackTimeoutMs?: number;
  /** Receives `kafka.produced` per topic after each acknowledged send. */
  readonly metrics?: MetricsPort;
}

// The broker's own default for request.timeout.ms on produce is 30 s; the same bound here means a
// send never waits longer than the broker would.
const DEFAULT_ACK_TIMEOUT_MS = 30_000;
// acks=-1 ("all"): kafkajs rejects any other value on an idempotent producer.
const ACKS_ALL = -1;

/**
 * groupByTopic turns records into kafkajs's per-topic batches, preserving each topic's record
 * order (so per-key order is the caller's order) and mapping `key: null` / `value: null` to
 * kafkajs's no-key / tombstone.
 */
export function groupByTopic(records: readonly OutgoingRecord[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    let messages = byTopic.get(record.topic);
    if (messages === undefined) {
      messages = [];
      byTopic.set(record.topic, messages);
    }
    const message: Message = { key: record.key, value: record.value };
    // kafkajs only reads a message's headers (its type is merely not readonly): no copy per record.
    if (record.headers !== undefined) message.headers = record.headers;
    if (record.partition !== undefined) message.partition = record.partition;
    messages.push(message);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/**
 * explicitThenJavaCompatible is kafkajs's DefaultPartitioner (Java-compatible murmur2 of the key)
 * with a shortcut for a record that names its partition: kafkajs's own partitioners honour it too,
 * but only after filtering the topic's partition metadata for every record.
 */
export const explicitThenJavaCompatible: ICustomPartitioner = () => {
  const javaCompatible = Partitioners.DefaultPartitioner();
  return (args) => args.message.partition ?? javaCompatible(args);
};

/**
 * createIdempotentProducer connects an idempotent kafkajs producer and returns it as a
 * KafkaProducerPort. Settings and why:
 * - `idempotent: true` with acks=all: the broker deduplicates kafkajs's internal retries by
 *   producer id + sequence, so a retried request never writes a record twice.
 * - `maxInFlightRequests: 1`: kafkajs serialises idempotent produce requests per broker anyway
 *   (eosManager broker lock); stating it keeps sequence numbers gap-free even if that changes.
 * - `createPartitioner: explicitThenJavaCompatible`: a record's own `partition` when it names one,
 *   else kafkajs 2.x's DefaultPartitioner, the Java-compatible murmur2 partitioner (`toPositive(murmur2(key)) % partitions`, as Java's
 *   `Utils.toPositive(Utils.murmur2(keyBytes)) % numPartitions`); naming it pins the choice and
 *   silences kafkajs's "default partitioner changed" warning. LegacyPartitioner would disagree
 *   with Java, Go and librdkafka clients about where a key lives.
 * - `allowAutoTopicCreation: false`: topics come from provisioning, never from a typo.
 * - retries stay bounded (the client config's `retry`, 8 by default) although kafkajs warns that
 *   this "may invalidate EoS guarantees": with unbounded retries (Java's choice, bounded there by
 *   delivery.timeout.ms, which kafkajs lacks) a send to a dead cluster never returns and a graceful
 *   shutdown hangs. A send that gave up is re-sent by the caller as new records; a duplicate that
 *   causes is absorbed by idempotent, monotonic downstream writes.
 * No transactions: correctness relies on idempotent, monotonic downstream writes.
 */
export async function createIdempotentProducer(
  kafka: Kafka,
  options: ProducerOptions = {},
): Promise<KafkaProducerPort> {
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: explicitThenJavaCompatible,
  });
  try {
    await producer.connect();
  } catch (error) {
    throw toKafkaError(error, 'connecting the Kafka producer');
  }
  const timeout = options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
  const metrics = options.metrics ?? noopMetrics;
  let connected = true;

  return {
    async send(records: readonly OutgoingRecord[]): Promise<readonly RecordPosition[]> {
      if (records.length === 0) return [];
      try {
        const topicMessages = groupByTopic(records);
        const metadata = await producer.sendBatch({ acks: ACKS_ALL, timeout, topicMessages });
        for (const { topic, messages } of topicMessages) {
          metrics.record({ type: 'kafka.produced', topic, count: messages.length });
        }
        return metadata.map((entry) => ({
          topic: entry.topicName,
          partition: entry.partition,
          baseOffset: entry.baseOffset ?? entry.offset ?? '-1',
        }));
      } catch (error) {
        throw toKafkaError(error, 'producing to Kafka', { records: records.length });
      }
    },
    async disconnect(): Promise<void> {
      if (!connected) return;
      connected = false;
      await producer.disconnect();
    },
  };
}
