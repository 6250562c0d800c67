import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { keyHash, LatestMessages } from './latest-messages.ts';
import { latestPerKey } from './latest-per-key.ts';
import { toConsumedRecord } from './consumed-batch.ts';

const message = (offset: number, key: string | Buffer | null, value: string | null): KafkaMessage =>
  ({
    offset: String(offset),
    key: typeof key === 'string' ? Buffer.from(key) : key,
    value: value === null ? null : Buffer.from(value),
    timestamp: String(1_000 + offset),
    headers: {},
    attributes: 0,
  }) as KafkaMessage;

describe('LatestMessages', () => {
  it('gives the table LatestPerKey gives: latest per topic and key, oldest latest first, tombstones kept, keyless dropped', () => {
    const batches: [string, number, KafkaMessage[]][] = [
      ['a', 0, [message(0, 'k1', 'v1'), message(1, 'k2', 'v1'), message(2, null, 'keyless')]],
      ['b', 0, [message(0, 'k1', 'b1')]],
      ['a', 1, [message(0, 'k3', 'v1')]],
      ['a', 0, [message(3, 'k1', null), message(4, 'k2', 'v2')]],
    ];
    const latest = new LatestMessages();
    for (const [topic, partition, messages] of batches) latest.add(topic, partition, messages);
    const expected = latestPerKey(
      batches.flatMap(([topic, partition, messages]) =>
        messages.map((m) => toConsumedRecord(topic, partition, m)),
      ),
    );
    expect(latest.records()).toEqual(expected);
    expect(latest.records().map((r) => `${r.topic}/${r.partition}@${r.offset} ${r.key}`)).toEqual([
      'b/0@0 k1',
      'a/1@0 k3',
      'a/0@3 k1',
      'a/0@4 k2',
    ]);
    expect(latest.size).toBe(4);
  });

  it('tells keys apart by their bytes, also when they are not valid UTF-8', () => {
    const latest = new LatestMessages();
    latest.add('t', 0, [message(0, Buffer.from([0xff]), 'a'), message(1, Buffer.from([0xfe]), 'b')]);
    latest.add('t', 0, [message(2, 'é', 'c'), message(3, Buffer.from('é'), 'd')]);
    expect(latest.records().map((r) => r.value?.toString())).toEqual(['a', 'b', 'd']);
  });

  it('tells apart keys whose hashes collide', () => {
    const byHash = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; pair === undefined; i++) {
      const key = `key-${i}`;
      const hash = keyHash(Buffer.from(key));
      const other = byHash.get(hash);
      if (other !== undefined) pair = [other, key];
      byHash.set(hash, key);
    }
    const [a, b] = pair;
    const latest = new LatestMessages();
    latest.add('t', 0, [message(0, a, 'a1'), message(1, b, 'b1'), message(2, a, 'a2')]);
    latest.add('t', 0, [message(3, b, 'b2')]);
    expect(latest.records().map((r) => `${r.key}=${r.value?.toString()}`)).toEqual([`${a}=a2`, `${b}=b2`]);
    expect(latest.size).toBe(2);
  });
});
