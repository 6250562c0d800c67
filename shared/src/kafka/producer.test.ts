import { describe, expect, it } from 'vitest';
import { Partitioners, type Kafka, type ProducerBatch, type ProducerConfig } from 'kafkajs';
import { DriftlineError } from '@driftline/shared/errors';
import { recordingMetrics } from '@driftline/shared/metrics';
import { createIdempotentProducer, groupByTopic } from './producer.ts';

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
      ]),
    ).toEqual([
      {
        topic: 'a',
        messages: [
          { key: 'k1', value: Buffer.from('1') },
          { key: 'k2', value: null, headers: { correlationId: 'c' } },
        ],
      },
      { topic: 'b', messages: [{ key: null, value: null }] },
    ]);
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
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    expect(Partitioners.DefaultPartitioner).not.toBe(Partitioners.LegacyPartitioner);
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
