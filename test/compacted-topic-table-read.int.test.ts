import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCompactedReader,
  createIdempotentProducer,
  createKafkaAdmin,
  createKafkaClient,
  partitionForKey,
  type ConsumedRecord,
  type KafkaClient,
  type KafkaProducerPort,
} from '@driftline/shared/kafka';
import { stackEndpoints } from './support/stack.ts';

// Proves the shared compacted reader against the real broker: a table read stops at the high
// watermarks taken when it starts, keeps the latest record per key (tombstones included), honours
// partition, key and end-offset selections across several topics in one pass, and leaves no
// consumer group behind.

const logger = pino({ level: 'silent' });
const PARTITIONS = 3;

describe('compacted topic read as a table', () => {
  const run = randomUUID().slice(0, 8);
  const tableTopic = `table-read-${run}.a`;
  const otherTopic = `table-read-${run}.b`;
  const prefix = `table-read-${run}-reader`;
  let kafka: KafkaClient;
  let producer: KafkaProducerPort;

  const send = (topic: string, key: string, value: string | null, headers: Record<string, string> = {}) =>
    producer.send([{ topic, key, value: value === null ? null : Buffer.from(value), headers }]);
  const rows = (records: readonly ConsumedRecord[]) =>
    records
      .map((r) => `${r.topic === tableTopic ? 'a' : 'b'}:${r.key}=${r.value?.toString() ?? 'null'}`)
      .sort();

  beforeAll(async () => {
    kafka = createKafkaClient(
      { brokers: stackEndpoints().kafkaBrokers, clientId: `table-read-${run}` },
      logger,
    );
    const admin = await createKafkaAdmin(kafka);
    await admin.ensureTopics([
      { name: tableTopic, partitions: PARTITIONS, replicationFactor: 1, compacted: true },
      { name: otherTopic, partitions: PARTITIONS, replicationFactor: 1, compacted: true },
    ]);
    await admin.disconnect();
    producer = await createIdempotentProducer(kafka);
    for (let i = 0; i < 12; i += 1)
      await send(tableTopic, `k${i}`, 'v1', { 'driftline-source-id': `doc-${i}` });
    await send(tableTopic, 'k0', 'v2');
    await send(tableTopic, 'k1', null);
    await send(otherTopic, 'k0', 'other');
  });

  afterAll(async () => {
    await producer?.disconnect();
  });

  it('latest reads the whole table to the high watermarks: latest value per key, tombstones kept, headers decoded', async () => {
    const reader = createCompactedReader(kafka, logger, { groupIdPrefix: prefix, timeoutMs: 60_000 });
    const table = await reader.latest({ topics: [tableTopic] });
    expect(table).toHaveLength(12);
    expect(rows(table)).toContain('a:k0=v2');
    expect(rows(table)).toContain('a:k1=null');
    expect(table.find((r) => r.key === 'k5')?.headers['driftline-source-id']).toBe('doc-5');
    for (const record of table) expect(record.partition).toBe(partitionForKey(record.key ?? '', PARTITIONS));
  });

  it('selects partitions and keys, and reads several topics in one pass', async () => {
    const reader = createCompactedReader(kafka, logger, { groupIdPrefix: prefix, timeoutMs: 60_000 });
    const p = partitionForKey('k0', PARTITIONS);
    const inPartition = await reader.latest({ topics: [tableTopic, otherTopic], partitions: new Set([p]) });
    expect(inPartition.every((r) => r.partition === p)).toBe(true);
    expect(rows(inPartition)).toContain('a:k0=v2');
    expect(rows(inPartition)).toContain('b:k0=other');
    const keyed = await reader.latest({ topics: [tableTopic, otherTopic], key: (k) => k === 'k0' });
    expect(rows(keyed)).toEqual(['a:k0=v2', 'b:k0=other']);
  });

  it('stops at explicit end offsets, and a partition without an end is not read', async () => {
    const reader = createCompactedReader(kafka, logger, { groupIdPrefix: prefix, timeoutMs: 60_000 });
    const p = partitionForKey('k0', PARTITIONS);
    const all = await reader.latest({ topics: [tableTopic], partitions: new Set([p]) });
    const k0 = all.find((r) => r.key === 'k0');
    // End just below k0's latest record: the read sees k0's first value, nothing of other partitions.
    const seen: ConsumedRecord[] = [];
    await reader.scan(
      { topics: [tableTopic], ends: [{ topic: tableTopic, partition: p, end: k0?.offset ?? '0' }] },
      (records) => {
        seen.push(...records);
      },
    );
    expect(seen.every((r) => r.partition === p && BigInt(r.offset) < BigInt(k0?.offset ?? '0'))).toBe(true);
    expect(seen.filter((r) => r.key === 'k0').map((r) => r.value?.toString())).toEqual(['v1']);
    const offsets = seen.map((r) => BigInt(r.offset));
    expect([...offsets].sort((x, y) => (x < y ? -1 : 1))).toEqual(offsets);
  });

  it('does not wait for records written after the read started, and deletes its throwaway groups', async () => {
    const reader = createCompactedReader(kafka, logger, { groupIdPrefix: prefix, timeoutMs: 60_000 });
    let wroteLate = false;
    const seen: ConsumedRecord[] = [];
    await reader.scan({ topics: [tableTopic] }, async (records) => {
      seen.push(...records);
      if (!wroteLate) {
        wroteLate = true;
        await send(tableTopic, 'late', 'v1');
      }
    });
    expect(seen.some((r) => r.key === 'late')).toBe(false);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      expect(groups.filter((g) => g.groupId.startsWith(prefix))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });
});
