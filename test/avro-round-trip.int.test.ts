import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicIds, type TopicId, type TopicValues } from '@driftline/schemas';
import { sampleKey, sampleValues } from '@driftline/schemas/samples';
import {
  createAvroSerde,
  createConsumerRunner,
  createIdempotentProducer,
  createKafkaAdmin,
  createKafkaClient,
  decodeFrame,
  driftlineTopicSet,
  partitionForKey,
  type AvroSerde,
  type ConsumedRecord,
  type KafkaAdminPort,
  type KafkaProducerPort,
} from '@driftline/shared/kafka';
import { stackEndpoints } from './support/stack.ts';

// Proves the Kafka kit end to end against the real broker and schema registry: every topic's value
// schema survives encode → produce → consume → decode; tombstones stay tombstones; the framing is
// Confluent's; keys land where Java's murmur2 partitioner puts them.

const key = sampleKey;
// The most complete sample value of each topic (longs near 2^53 included).
const samples = Object.fromEntries(topicIds.map((id) => [id, sampleValues[id][0]])) as {
  [K in TopicId]: TopicValues[K];
};

// Apache Kafka's UtilsTest.testMurmur2 vectors, and the partition the Java client's
// `Utils.toPositive(Utils.murmur2(bytes)) % 12` gives for each (computed by hand from the signed
// hashes: e.g. "foobar" → -790332482 & 0x7fffffff = 1357151166, 1357151166 % 12 = 6).
const javaPlacements12: readonly (readonly [string, number])[] = [
  ['21', 0], // murmur2 = -973932308
  ['foobar', 6], // murmur2 = -790332482
  ['a-little-bit-long-string', 8], // murmur2 = -985981536
  ['abc', 3], // murmur2 = 479470107
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', 5], // murmur2 = -58897971
];

const logger = pino({ level: 'silent' });

/** consume reads `topics` with a fresh group until `count` records arrived, then stops gracefully. */
async function consume(
  kafka: ReturnType<typeof createKafkaClient>,
  topics: string[],
  count: number,
): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  let done!: () => void;
  const enough = new Promise<void>((resolve) => (done = resolve));
  const runner = createConsumerRunner(kafka, {
    groupId: `rt-${randomUUID()}`,
    topics,
    logger,
    handler: async (batch) => {
      records.push(...batch.records);
      if (records.length >= count) done();
    },
  });
  await runner.start();
  try {
    await Promise.race([
      enough,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`timed out with ${records.length}/${count} records`)), 60_000),
      ),
    ]);
  } finally {
    await runner.stop();
  }
  return records;
}

describe('Avro round trip through the real broker and schema registry', () => {
  const run = randomUUID().slice(0, 8);
  const names = Object.fromEntries(topicIds.map((id) => [id, `rt-${run}-${id}`])) as Record<TopicId, string>;
  const placementTopic = `rt-${run}-placement`;
  let kafka: ReturnType<typeof createKafkaClient>;
  let admin: KafkaAdminPort;
  let producer: KafkaProducerPort;
  let serde: AvroSerde;

  beforeAll(async () => {
    const { kafkaBrokers, schemaRegistryUrl } = stackEndpoints();
    kafka = createKafkaClient({ brokers: kafkaBrokers, clientId: `rt-${run}` }, logger);
    admin = await createKafkaAdmin(kafka);
    await admin.ensureTopics([
      ...driftlineTopicSet({ coPartitionedPartitions: 3, otherPartitions: 2, replicationFactor: 1, names }),
      { name: placementTopic, partitions: 12, replicationFactor: 1, compacted: false },
    ]);
    producer = await createIdempotentProducer(kafka);
    serde = createAvroSerde({ schemaRegistryUrl, topicNames: names, clientId: `rt-${run}` });
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    const cleanup = kafka?.admin();
    await cleanup?.connect();
    await cleanup?.deleteTopics({ topics: [...Object.values(names), placementTopic] }).catch(() => undefined);
    await cleanup?.disconnect();
  });

  it('encodes, produces, consumes and decodes every topic value schema unchanged', async () => {
    const ids = await serde.register();
    const encoded = new Map<TopicId, Buffer>();
    for (const id of topicIds) {
      const value = await serde.encode(id, samples[id]);
      if (value === null) throw new Error('a non-null value encoded to null');
      encoded.set(id, value);
    }
    await producer.send(topicIds.map((id) => ({ topic: names[id], key, value: encoded.get(id) ?? null })));

    const records = await consume(kafka, Object.values(names), topicIds.length);
    expect(records).toHaveLength(topicIds.length);
    for (const id of topicIds) {
      const record = records.find((r) => r.topic === names[id]);
      expect(record?.key).toBe(key);
      expect(record?.value).toEqual(encoded.get(id));
      const decoded = await serde.decode(id, record?.value ?? null);
      expect(decoded).toEqual(samples[id]);
      // Confluent framing: magic byte 0, then the registry's schema id, big-endian.
      expect(record?.value?.[0]).toBe(0);
      expect(decodeFrame(record?.value ?? Buffer.alloc(0)).schemaId).toBe(ids.get(id));
    }
  });

  it('registers each schema under <topic>-value with the id the registry reports, BACKWARD', async () => {
    const { schemaRegistryUrl } = stackEndpoints();
    const ids = await serde.register(['drift']);
    const subject = encodeURIComponent(serde.subjectFor('drift'));
    expect(serde.subjectFor('drift')).toBe(`${names.drift}-value`);
    const latest = (await (
      await fetch(`${schemaRegistryUrl}/subjects/${subject}/versions/latest`)
    ).json()) as {
      id: number;
    };
    expect(latest.id).toBe(ids.get('drift'));
    const config = (await (await fetch(`${schemaRegistryUrl}/config/${subject}`)).json()) as {
      compatibilityLevel: string;
    };
    expect(config.compatibilityLevel).toBe('BACKWARD');
  });

  it('round-trips a tombstone on a compacted topic as a null value', async () => {
    const tombstoneKey = `prov-1/team-a/MongoDB/deleted-${run}`;
    await producer.send([
      { topic: names.desired, key: tombstoneKey, value: await serde.encode('desired', null) },
    ]);
    const records = await consume(kafka, [names.desired], 2);
    const tombstone = records.find((r) => r.key === tombstoneKey);
    expect(tombstone).toBeDefined();
    expect(tombstone?.value).toBeNull();
    expect(await serde.decode('desired', tombstone?.value ?? null)).toBeNull();
  });

  it('puts each key on the partition the Java client would choose', async () => {
    for (const [k, expected] of javaPlacements12) expect(partitionForKey(k, 12)).toBe(expected);
    const positions = await producer.send(
      javaPlacements12.map(([k]) => ({ topic: placementTopic, key: k, value: Buffer.from(k) })),
    );
    expect(positions.map((p) => p.partition).sort()).toEqual(javaPlacements12.map(([, p]) => p).sort());
    const records = await consume(kafka, [placementTopic], javaPlacements12.length);
    for (const [k, expected] of javaPlacements12) {
      expect(records.find((r) => r.key === k)?.partition, k).toBe(expected);
    }
  });
});
