import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { DriftlineError } from '@driftline/shared/errors';
import type { KafkaClient } from './client-factory.ts';
import {
  belowEnd,
  createCompactedReader,
  readPlan,
  withKey,
  type CompactedRead,
} from './compacted-reader.ts';
import type { ConsumedRecord } from './ports.ts';

const logger = pino({ level: 'silent' });

interface FakeRecord {
  readonly key: string | null;
  readonly value: string | null;
  readonly headers?: Record<string, string>;
}

/**
 * A stand-in for the kafkajs client where the reader relies on it: the admin reports watermarks
 * (low 0, high = record count) and deletes groups; the consumer delivers each partition of the
 * subscribed topics in batches of `batchSize` from offset 0 until paused, like a fresh group
 * reading from the beginning. `stall` delivers nothing at all.
 */
function fakeKafka(
  topics: Record<string, FakeRecord[][]>,
  options: { batchSize?: number; stall?: boolean; groupIds?: string[] } = {},
) {
  const batchSize = options.batchSize ?? 2;
  const deleted: string[] = [];
  const subscribed: string[][] = [];
  const paused = new Set<string>();
  let disconnected = 0;
  const message = (offset: number, r: FakeRecord): KafkaMessage =>
    ({
      offset: String(offset),
      key: r.key === null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
      timestamp: String(1_000 + offset),
      headers: r.headers ?? {},
      attributes: 0,
    }) as KafkaMessage;
  const kafka = {
    admin: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchTopicOffsets: async (topic: string) =>
        (topics[topic] ?? []).map((records, partition) => ({
          partition,
          offset: String(records.length),
          low: '0',
          high: String(records.length),
        })),
      deleteGroups: async (ids: string[]) => {
        deleted.push(...ids);
        return [];
      },
    }),
    consumer: (config: { groupId: string }) => {
      options.groupIds?.push(config.groupId);
      // A fresh group starts with nothing paused.
      paused.clear();
      let wanted: string[] = [];
      return {
        connect: async () => undefined,
        disconnect: async () => {
          disconnected += 1;
        },
        subscribe: async ({ topics: t }: { topics: string[] }) => {
          wanted = t;
          subscribed.push(t);
        },
        run: async ({ eachBatch }: { eachBatch: (p: EachBatchPayload) => Promise<void> }) => {
          if (options.stall) return;
          void (async () => {
            for (let offset = 0; ; offset += batchSize) {
              let delivered = false;
              for (const topic of wanted) {
                for (const [partition, records] of (topics[topic] ?? []).entries()) {
                  const id = `${topic}/${partition}`;
                  if (paused.has(id) || offset >= records.length) continue;
                  const slice = records.slice(offset, offset + batchSize);
                  delivered = true;
                  await eachBatch({
                    batch: {
                      topic,
                      partition,
                      messages: slice.map((r, i) => message(offset + i, r)),
                      lastOffset: () => String(offset + slice.length - 1),
                    },
                    pause: () => {
                      paused.add(id);
                      return () => paused.delete(id);
                    },
                  } as unknown as EachBatchPayload);
                }
              }
              if (!delivered) return;
            }
          })();
        },
      };
    },
  } as unknown as KafkaClient;
  return { kafka, deleted, subscribed, paused, disconnects: () => disconnected };
}

const summary = (records: readonly ConsumedRecord[]) =>
  records.map((r) => `${r.topic}/${r.partition}@${r.offset} ${r.key}=${r.value?.toString() ?? 'null'}`);

describe('belowEnd and withKey', () => {
  const batch: ConsumedRecord[] = ['a', null, 'b', 'a'].map((key, i) => ({
    topic: 't',
    partition: 0,
    offset: String(10 + i),
    key,
    value: null,
    headers: {},
    timestampMs: 0,
  }));
  const offsets = (records: readonly ConsumedRecord[]) => records.map((r) => r.offset);

  it('keeps a batch wholly below the end as it is, and cuts one that reaches it', () => {
    expect(belowEnd(batch, 14n)).toBe(batch);
    expect(offsets(belowEnd(batch, 12n))).toEqual(['10', '11']);
    expect(belowEnd(batch, 10n)).toEqual([]);
    expect(belowEnd([], 10n)).toEqual([]);
  });

  it('applies the key filter, dropping keyless records', () => {
    const read: CompactedRead = { topics: ['t'], key: (key) => key === 'a' };
    expect(offsets(withKey(read, batch))).toEqual(['10', '13']);
    expect(withKey({ topics: ['t'] }, batch)).toBe(batch);
  });
});

describe('readPlan', () => {
  const watermarks = [
    { topic: 'a', partition: 0, low: '0', high: '5' },
    { topic: 'a', partition: 1, low: '3', high: '3' },
    { topic: 'a', partition: 2, low: '2', high: '9' },
    { topic: 'b', partition: 0, low: '0', high: '4' },
  ];
  const plan = (read: CompactedRead) =>
    Object.fromEntries([...readPlan(read, watermarks)].map(([k, v]) => [k.replace('\u0000', '/'), v]));

  it('reads every non-empty partition of the topics up to its high watermark', () => {
    expect(plan({ topics: ['a'] })).toEqual({ 'a/0': 5n, 'a/2': 9n });
  });

  it('keeps only the selected partition numbers, of every topic', () => {
    expect(plan({ topics: ['a', 'b'], partitions: new Set([0]) })).toEqual({ 'a/0': 5n, 'b/0': 4n });
  });

  it('with ends reads only the listed partitions, clamped to the high watermark, skipping ends at or below the log start', () => {
    expect(
      plan({
        topics: ['a', 'b'],
        ends: [
          { topic: 'a', partition: 0, end: '3' },
          { topic: 'a', partition: 2, end: '2' },
          { topic: 'b', partition: 0, end: '40' },
          { topic: 'c', partition: 0, end: '1' },
        ],
      }),
    ).toEqual({ 'a/0': 3n, 'b/0': 4n });
  });

  it('reads the topics named in ends even when topics omits them', () => {
    expect(plan({ topics: [], ends: [{ topic: 'b', partition: 0, end: '2' }] })).toEqual({ 'b/0': 2n });
  });
});

describe('createCompactedReader', () => {
  const topics = {
    providers: [
      [
        { key: 'p1', value: 'v1' },
        { key: 'p2', value: 'v1' },
        { key: 'p1', value: 'v2' },
        { key: null, value: 'keyless' },
        { key: 'p2', value: null },
      ],
      [{ key: 'p3', value: 'v1', headers: { 'driftline-source-id': 'doc-3' } }],
    ],
    other: [[{ key: 'o1', value: 'v1' }]],
  };

  it('latest returns the table: latest record per key, tombstones kept, keyless dropped, headers decoded', async () => {
    const fake = fakeKafka(topics);
    const reader = createCompactedReader(fake.kafka, logger, { groupIdPrefix: 'test-reader' });
    const table = await reader.latest({ topics: ['providers'] });
    expect(summary(table).sort()).toEqual([
      'providers/0@2 p1=v2',
      'providers/0@4 p2=null',
      'providers/1@0 p3=v1',
    ]);
    expect(table.find((r) => r.key === 'p3')?.headers).toEqual({ 'driftline-source-id': 'doc-3' });
    expect(table.find((r) => r.key === 'p3')?.timestampMs).toBe(1_000);
  });

  it('scan hands every record below the ends in offset order per partition and pauses finished partitions', async () => {
    const fake = fakeKafka(topics);
    const reader = createCompactedReader(fake.kafka, logger, { groupIdPrefix: 'test-reader' });
    const seen: ConsumedRecord[] = [];
    await reader.scan(
      {
        topics: ['providers', 'other'],
        ends: [
          { topic: 'providers', partition: 0, end: '3' },
          { topic: 'other', partition: 0, end: '1' },
        ],
      },
      (records) => {
        seen.push(...records);
      },
    );
    expect(summary(seen).filter((s) => s.startsWith('providers'))).toEqual([
      'providers/0@0 p1=v1',
      'providers/0@1 p2=v1',
      'providers/0@2 p1=v2',
    ]);
    expect(summary(seen).filter((s) => s.startsWith('other'))).toEqual(['other/0@0 o1=v1']);
    expect(fake.subscribed).toEqual([['providers', 'other']]);
    // providers/1 has no end: paused at its first batch, never handed over.
    expect(fake.paused).toEqual(new Set(['providers/0', 'providers/1', 'other/0']));
  });

  it('filters by partition and key', async () => {
    const fake = fakeKafka(topics);
    const reader = createCompactedReader(fake.kafka, logger, { groupIdPrefix: 'test-reader' });
    const table = await reader.latest({
      topics: ['providers'],
      partitions: new Set([0]),
      key: (k) => k === 'p1',
    });
    expect(summary(table)).toEqual(['providers/0@2 p1=v2']);
  });

  it('uses a fresh throwaway group per read and deletes it afterwards', async () => {
    const groupIds: string[] = [];
    const fake = fakeKafka(topics, { groupIds });
    const reader = createCompactedReader(fake.kafka, logger, { groupIdPrefix: 'test-reader' });
    await reader.latest({ topics: ['providers'] });
    await reader.latest({ topics: ['providers'] });
    expect(groupIds).toHaveLength(2);
    expect(new Set(groupIds).size).toBe(2);
    for (const id of groupIds) expect(id.startsWith('test-reader-')).toBe(true);
    expect(fake.deleted).toEqual(groupIds);
    expect(fake.disconnects()).toBe(2);
  });

  it('joins no group when there is nothing to read', async () => {
    const groupIds: string[] = [];
    const fake = fakeKafka({ empty: [[], []] }, { groupIds });
    const reader = createCompactedReader(fake.kafka, logger, { groupIdPrefix: 'test-reader' });
    expect(await reader.latest({ topics: ['empty'] })).toEqual([]);
    expect(groupIds).toEqual([]);
  });

  it('rejects with what onRecords threw, unwrapped, and still cleans up', async () => {
    const fake = fakeKafka(topics);
    const reader = createCompactedReader(fake.kafka, logger, { groupIdPrefix: 'test-reader' });
    const boom = new Error('handler failed');
    await expect(
      reader.scan({ topics: ['providers'] }, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(fake.deleted).toHaveLength(1);
    expect(fake.disconnects()).toBe(1);
  });

  it('rejects with a retryable KAFKA_UNAVAILABLE when the ends are not reached in time', async () => {
    const fake = fakeKafka(topics, { stall: true });
    const reader = createCompactedReader(fake.kafka, logger, { groupIdPrefix: 'test-reader', timeoutMs: 20 });
    const error = await reader.latest({ topics: ['providers'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriftlineError);
    expect((error as DriftlineError).code).toBe('KAFKA_UNAVAILABLE');
    expect((error as DriftlineError).retryable).toBe(true);
    expect(fake.deleted).toHaveLength(1);
  });
});
