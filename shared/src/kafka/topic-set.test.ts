import { describe, expect, it } from 'vitest';
import { topicContracts } from '@driftline/schemas';
import { driftlineTopicSet } from './topic-set.ts';

describe('driftlineTopicSet', () => {
  const set = driftlineTopicSet({ coPartitionedPartitions: 12, otherPartitions: 3, replicationFactor: 1 });

  it('has one spec per contract, compacted as the contract says', () => {
    expect(set.map((t) => t.name).sort()).toEqual(
      Object.values(topicContracts)
        .map((c) => c.defaultName)
        .sort(),
    );
    for (const contract of Object.values(topicContracts)) {
      expect(set.find((t) => t.name === contract.defaultName)?.compacted).toBe(contract.compacted);
    }
    expect(set.find((t) => t.name === 'driftline.desired.v1')?.compacted).toBe(true);
    expect(set.find((t) => t.name === 'driftline.drift.v1')?.compacted).toBe(false);
  });

  it('gives every co-partitioned topic the same partition count', () => {
    const coPartitioned = Object.values(topicContracts).filter((c) => c.coPartitioned);
    expect(coPartitioned.map((c) => c.id).sort()).toEqual(['desired', 'drift', 'observed', 'operations']);
    for (const contract of coPartitioned) {
      expect(set.find((t) => t.name === contract.defaultName)?.partitions).toBe(12);
    }
    expect(set.find((t) => t.name === 'driftline.providers.v1')?.partitions).toBe(3);
  });

  it('applies name overrides and rejects a zero partition count', () => {
    const renamed = driftlineTopicSet({
      coPartitionedPartitions: 1,
      otherPartitions: 1,
      replicationFactor: 1,
      names: { drift: 'team-a.drift' },
    });
    expect(renamed.some((t) => t.name === 'team-a.drift')).toBe(true);
    expect(() =>
      driftlineTopicSet({ coPartitionedPartitions: 0, otherPartitions: 1, replicationFactor: 1 }),
    ).toThrow(RangeError);
  });
});
