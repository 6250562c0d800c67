import { describe, expect, it } from 'vitest';
import { inMemoryCompactedReader } from './in-memory-compacted-reader.ts';
import type { ConsumedRecord } from './ports.ts';

const rec = (
  topic: string,
  partition: number,
  offset: number,
  key: string | null,
  value: string | null,
): ConsumedRecord => ({
  topic,
  partition,
  offset: String(offset),
  key,
  value: value === null ? null : Buffer.from(value),
  headers: {},
  timestampMs: offset,
});

const log: Record<string, ConsumedRecord[]> = {
  a: [
    rec('a', 0, 0, 'k1', 'v1'),
    rec('a', 0, 1, 'k1', null),
    rec('a', 0, 2, 'k2', 'v1'),
    rec('a', 1, 0, 'k3', 'v1'),
  ],
  b: [rec('b', 0, 0, 'k1', 'b1')],
};
const reader = inMemoryCompactedReader((topic) => log[topic] ?? []);
const ids = (records: readonly ConsumedRecord[]) =>
  records.map((r) => `${r.topic}/${r.partition}@${r.offset}`);

describe('inMemoryCompactedReader', () => {
  it('latest keeps the latest record per topic and key, tombstones included', async () => {
    expect(ids(await reader.latest({ topics: ['a', 'b'] }))).toEqual(['a/0@1', 'a/0@2', 'a/1@0', 'b/0@0']);
  });

  it('honours partitions, key and ends like the Kafka reader', async () => {
    expect(ids(await reader.latest({ topics: ['a'], partitions: new Set([1]) }))).toEqual(['a/1@0']);
    expect(ids(await reader.latest({ topics: ['a'], key: (k) => k === 'k2' }))).toEqual(['a/0@2']);
    const seen: ConsumedRecord[] = [];
    await reader.scan({ topics: ['a'], ends: [{ topic: 'a', partition: 0, end: '1' }] }, (records) => {
      seen.push(...records);
    });
    expect(ids(seen)).toEqual(['a/0@0']);
  });
});
