import { describe, expect, it } from 'vitest';
import { Partitioners, type Kafka, type ProducerBatch, type ProducerConfig } from 'kafkajs';
import { DriftlineError } from '@driftline/shared/errors';
import { recordingMetrics } from '@driftline/shared/metrics';
import { createIdempotentProducer, explicitThenJavaCompatible, groupByTopic } from './producer.ts';
import { partitionForKey } from './partitioner.ts';

function fakeKafka(fail?: Error) {
  const sent: ProducerBatch[] = [];
  let config: ProducerConfig | undefined;
  let disconnects = 0;
  const kafka = {
    producer: (c: ProducerConfig) => {
      config = c;
      return {
        connect: async () => undefined,
        disconnect: async () => {
          disconnects += 1;
        },
        sendBatch: async (batch: ProducerBatch) => {
          if (fail) throw fail;
          sent.push(batch);
          return (batch.topicMessages ?? []).map((t) => ({
            topicName: t.topic,
            partition: 0,
            errorCode: 0,
            baseOffset: '7',
          }));
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, sent, config: () => config, disconnects: () => disconnects };
}

describe('groupByTopic', () => {
  it('groups per topic keeping record order, keys, tombstones and headers', () => {
    expect(
      groupByTopic([
        { topic: 'a', key: 'k1', value: Buffer.from('1') },
        { topic: 'b', key: null, value: null },
        { topic: 'a', key: 'k2', value: null, headers: { correlationId: 'c' } },
        { topic: 'a', key: 'k3', value: null, partition: 4 },
      ]),
    ).toEqual([
      {
        topic: 'a',
        messages: [
          { key: 'k1', value: Buffer.from('1') },
          { key: 'k2', value: null, headers: { correlationId: 'c' } },
          { key: 'k3', value: null, partition: 4 },
        ],
      },
      { topic: 'b', messages: [{ key: null, value: null }] },
    ]);
  });
});

describe('explicitThenJavaCompatible', () => {
  const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  const partitioner = explicitThenJavaCompatible();

  it('places a keyed record where the Java-compatible murmur2 partitioner does', () => {
    for (const key of ['prov-0/team-0/MongoDB/db-0', 'prov-3/team-1/Redis/db-17', 'x']) {
      const message = { key: Buffer.from(key, 'utf8'), value: null };
      expect(partitioner({ topic: 't', partitionMetadata, message })).toBe(partitionForKey(key, 6));
      expect(partitioner({ topic: 't', partitionMetadata, message })).toBe(
        Partitioners.DefaultPartitioner()({ topic: 't', partitionMetadata, message }),
      );
    }
  });

  it("honours a record's explicit partition, also partition 0", () => {
    const key = Buffer.from('prov-0/team-0/MongoDB/db-0', 'utf8');
    const hashed = partitionForKey('prov-0/team-0/MongoDB/db-0', 6);
    for (const partition of [0, 5].filter((p) => p !== hashed))
      expect(partitioner({ topic: 't', partitionMetadata, message: { key, value: null, partition } })).toBe(
        partition,
      );
  });
});

describe('createIdempotentProducer', () => {
  it('configures idempotence, one request in flight, no auto-creation and the Java-compatible partitioner', async () => {
    const fake = fakeKafka();
    await createIdempotentProducer(fake.kafka);
    expect(fake.config()).toEqual({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: explicitThenJavaCompatible,
    });
  });

  it('sends with acks=all and reports where records landed', async () => {
    const fake = fakeKafka();
    const metrics = recordingMetrics();
    const producer = await createIdempotentProducer(fake.kafka, { metrics });
    const positions = await producer.send([{ topic: 't', key: 'k', value: Buffer.from('v') }]);
    expect(metrics.events).toEqual([{ type: 'kafka.produced', topic: 't', count: 1 }]);
    expect(fake.sent[0]?.acks).toBe(-1);
    expect(positions).toEqual([{ topic: 't', partition: 0, baseOffset: '7' }]);
    expect(await producer.send([])).toEqual([]);
    await producer.disconnect();
    await producer.disconnect();
    expect(fake.disconnects()).toBe(1);
  });

  it('maps send failures to a classified DriftlineError', async () => {
    const fake = fakeKafka(Object.assign(new Error('leader not available'), { retriable: true }));
    const producer = await createIdempotentProducer(fake.kafka);
    const error = await producer.send([{ topic: 't', key: 'k', value: null }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriftlineError);
    expect(error).toMatchObject({ code: 'KAFKA_UNAVAILABLE', retryable: true });
  });
});
