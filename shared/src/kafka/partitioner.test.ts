import { describe, expect, it } from 'vitest';
import { partitionForKey } from './partitioner.ts';

// Apache Kafka's UtilsTest.testMurmur2 vectors (signed 32-bit murmur2 of the UTF-8 bytes); the
// Java client's partition is `(hash & 0x7fffffff) % count`, which is what these expectations use.
const javaMurmur2Vectors: readonly (readonly [string, number])[] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

describe('partitionForKey', () => {
  it.each(javaMurmur2Vectors)('places %s where the Java client does', (key, javaHash) => {
    for (const count of [1, 3, 6, 12, 50, 97]) {
      expect(partitionForKey(key, count)).toBe((javaHash & 0x7fffffff) % count);
    }
  });

  it('agrees with a published Java placement: foobar over 50 partitions is 16', () => {
    expect(partitionForKey('foobar', 50)).toBe(16);
  });

  it('rejects a non-positive partition count', () => {
    expect(() => partitionForKey('k', 0)).toThrow(RangeError);
  });
});
