import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectMessages } from './support/collect-messages.ts';
import { stackEndpoints } from './support/stack.ts';

// Proves that kafkajs 2.2.4 (no release since 2023) really works with the broker version the
// local stack runs (stack/pom.xml `kafka.version`): the APIs driftline relies on, end to end.
describe('kafkajs 2.2.4 against the local Kafka broker', () => {
  const run = randomUUID().slice(0, 8);
  const keyed = `compat-${run}-keyed`;
  const groups = `compat-${run}-groups`;
  const txOut = `compat-${run}-tx-out`;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    kafka = new Kafka({
      clientId: `compat-${run}`,
      brokers: stackEndpoints().kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [keyed, groups, txOut] }).catch(() => undefined);
    await admin?.disconnect();
  });

  it('creates topics with configs idempotently and describes their configs (admin)', async () => {
    const topics = [
      {
        topic: keyed,
        numPartitions: 3,
        replicationFactor: 1,
        configEntries: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'min.compaction.lag.ms', value: '1000' },
        ],
      },
      { topic: groups, numPartitions: 1, replicationFactor: 1 },
      { topic: txOut, numPartitions: 1, replicationFactor: 1 },
    ];
    expect(await admin.createTopics({ topics, waitForLeaders: true })).toBe(true);
    // A second call is a no-op that reports "nothing created", not an error.
    expect(await admin.createTopics({ topics, waitForLeaders: true })).toBe(false);

    const metadata = await admin.fetchTopicMetadata({ topics: [keyed] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);

    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: 2 /* TOPIC */, name: keyed, configNames: ['cleanup.policy', 'min.compaction.lag.ms'] },
      ],
    });
    const entries = Object.fromEntries(
      described.resources[0]?.configEntries.map((e) => [e.configName, e.configValue]) ?? [],
    );
    expect(entries).toEqual({ 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '1000' });
  });

  it('produces keyed messages and consumes them in per-key order (murmur2 partitioning)', async () => {
    const messages = ['a', 'b', 'c'].flatMap((key) => [1, 2, 3].map((n) => ({ key, value: `${key}${n}` })));
    await producer.send({ topic: keyed, acks: -1, messages });

    const consumer = kafka.consumer({ groupId: `compat-${run}-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: keyed, fromBeginning: true });
    const got = await collectMessages(consumer, (seen) => seen.length >= messages.length);
    await consumer.disconnect();

    expect(got.map((m) => m.value).sort()).toEqual(messages.map((m) => m.value).sort());
    for (const key of ['a', 'b', 'c']) {
      const ofKey = got.filter((m) => m.key === key);
      expect(ofKey.map((m) => m.value)).toEqual([`${key}1`, `${key}2`, `${key}3`]);
      expect(new Set(ofKey.map((m) => m.partition)).size).toBe(1);
    }
  });

  it('a consumer group commits, and a restarted member resumes after the committed offset (groups, fetchOffsets, listGroups)', async () => {
    const groupId = `compat-${run}-resume`;
    await producer.send({
      topic: groups,
      acks: -1,
      messages: [1, 2, 3].map((n) => ({ key: 'k', value: `m${n}` })),
    });

    const first = kafka.consumer({ groupId });
    await first.connect();
    await first.subscribe({ topic: groups, fromBeginning: true });
    const firstBatch = await collectMessages(first, (seen) => seen.length >= 3, {
      onMessage: (m) =>
        first.commitOffsets([
          { topic: m.topic, partition: m.partition, offset: String(Number(m.offset) + 1) },
        ]),
    });
    await first.disconnect();
    expect(firstBatch.map((m) => m.value)).toEqual(['m1', 'm2', 'm3']);

    const committed = await admin.fetchOffsets({ groupId, topics: [groups] });
    expect(committed[0]?.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '3' })]);
    const listed = await admin.listGroups();
    expect(listed.groups.map((g) => g.groupId)).toContain(groupId);

    await producer.send({
      topic: groups,
      acks: -1,
      messages: [4, 5].map((n) => ({ key: 'k', value: `m${n}` })),
    });
    const second = kafka.consumer({ groupId });
    await second.connect();
    await second.subscribe({ topic: groups, fromBeginning: true });
    const secondBatch = await collectMessages(second, (seen) => seen.some((m) => m.value === 'm5'));
    await second.disconnect();
    // Nothing before the committed offset is delivered again, nothing after it is lost.
    expect(secondBatch.map((m) => m.value)).toEqual(['m4', 'm5']);
  });

  it('transactions: committed records and sendOffsets become visible, aborted records never reach read_committed consumers', async () => {
    const txGroup = `compat-${run}-tx-group`;
    const transactional = kafka.producer({
      transactionalId: `compat-${run}-tx`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await transactional.connect();
    try {
      const committed = await transactional.transaction();
      await committed.send({ topic: txOut, messages: [{ key: 'k', value: 'committed-1' }] });
      await committed.sendOffsets({
        consumerGroupId: txGroup,
        topics: [{ topic: groups, partitions: [{ partition: 0, offset: '2' }] }],
      });
      await committed.commit();

      const aborted = await transactional.transaction();
      await aborted.send({ topic: txOut, messages: [{ key: 'k', value: 'aborted-1' }] });
      await aborted.abort();

      const last = await transactional.transaction();
      await last.send({ topic: txOut, messages: [{ key: 'k', value: 'committed-2' }] });
      await last.commit();
    } finally {
      await transactional.disconnect();
    }

    const offsets = await admin.fetchOffsets({ groupId: txGroup, topics: [groups] });
    expect(offsets[0]?.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '2' })]);

    const readCommitted = kafka.consumer({ groupId: `compat-${run}-rc`, readUncommitted: false });
    await readCommitted.connect();
    await readCommitted.subscribe({ topic: txOut, fromBeginning: true });
    const visible = await collectMessages(readCommitted, (seen) =>
      seen.some((m) => m.value === 'committed-2'),
    );
    await readCommitted.disconnect();
    expect(visible.map((m) => m.value)).toEqual(['committed-1', 'committed-2']);

    const readUncommitted = kafka.consumer({ groupId: `compat-${run}-ru`, readUncommitted: true });
    await readUncommitted.connect();
    await readUncommitted.subscribe({ topic: txOut, fromBeginning: true });
    const all = await collectMessages(readUncommitted, (seen) => seen.some((m) => m.value === 'committed-2'));
    await readUncommitted.disconnect();
    // The aborted record is in the log (so the read_committed result above is a real filter).
    expect(all.map((m) => m.value)).toEqual(['committed-1', 'aborted-1', 'committed-2']);
  });
});
