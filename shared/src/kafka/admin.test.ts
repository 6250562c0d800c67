import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createKafkaAdmin } from './admin.ts';
import type { TopicSpec } from './ports.ts';

// ensureTopics against a scripted kafkajs admin: what the broker holds is `topics`, and
// `createTopics` can be told to fail once the way kafkajs does when a fresh KRaft broker has not
// yet propagated a topic it just created.

interface Held {
  partitions: number;
  policy: string;
}

function fakeKafka(topics: Map<string, Held>, createFailures: Error[]) {
  const calls = { createTopics: 0, listTopics: 0 };
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => {
      calls.listTopics += 1;
      return [...topics.keys()];
    },
    fetchTopicMetadata: async ({ topics: names }: { topics: string[] }) => ({
      topics: names.map((name) => ({
        name,
        partitions: Array.from({ length: topics.get(name)?.partitions ?? 0 }, (_, partitionId) => ({
          partitionId,
        })),
      })),
    }),
    describeConfigs: async ({ resources }: { resources: { name: string }[] }) => ({
      resources: resources.map(({ name }) => ({
        resourceName: name,
        configEntries: [{ configName: 'cleanup.policy', configValue: topics.get(name)?.policy ?? 'delete' }],
      })),
    }),
    createTopics: async ({ topics: wanted }: { topics: { topic: string; numPartitions: number }[] }) => {
      calls.createTopics += 1;
      for (const t of wanted) topics.set(t.topic, { partitions: t.numPartitions, policy: 'compact' });
      const failure = createFailures.shift();
      if (failure !== undefined) throw failure;
      return true;
    },
  };
  return { kafka: { admin: () => admin } as unknown as Kafka, calls };
}

const spec: TopicSpec = { name: 't.desired', partitions: 6, replicationFactor: 1, compacted: true };

function unknownTopic(): Error {
  return Object.assign(new Error('This server does not host this topic-partition'), {
    name: 'KafkaJSProtocolError',
    type: 'UNKNOWN_TOPIC_OR_PARTITION',
    retriable: true,
  });
}

describe('ensureTopics', () => {
  it('re-runs after a transient failure while the broker propagates a topic it just created', async () => {
    const held = new Map<string, Held>();
    const { kafka, calls } = fakeKafka(held, [unknownTopic()]);
    const admin = await createKafkaAdmin(kafka);
    const result = await admin.ensureTopics([spec]);
    expect(result.existing).toEqual(['t.desired']);
    expect(calls.createTopics).toBe(1);
    expect(calls.listTopics).toBeGreaterThanOrEqual(2);
    expect(held.get('t.desired')).toEqual({ partitions: 6, policy: 'compact' });
  });

  it('never retries a topic that differs from its spec', async () => {
    const held = new Map<string, Held>([['t.desired', { partitions: 3, policy: 'compact' }]]);
    const { kafka, calls } = fakeKafka(held, []);
    const admin = await createKafkaAdmin(kafka);
    await expect(admin.ensureTopics([spec])).rejects.toMatchObject({ code: 'KAFKA_FATAL' });
    expect(calls.listTopics).toBe(1);
    expect(calls.createTopics).toBe(0);
  });
});
