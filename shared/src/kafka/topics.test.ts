import { describe, expect, it } from 'vitest';
import { describeDrift, planTopics, topicConfigEntries } from './topics.ts';
import type { TopicSpec } from './ports.ts';

const state: TopicSpec = { name: 'desired', partitions: 6, replicationFactor: 1, compacted: true };
const events: TopicSpec = { name: 'drift', partitions: 6, replicationFactor: 3, compacted: false };

describe('planTopics', () => {
  it('creates what is missing and keeps what matches', () => {
    const plan = planTopics([state, events], [{ name: 'desired', partitions: 6, cleanupPolicy: 'compact' }]);
    expect(plan).toEqual({ create: [events], existing: ['desired'], drift: [] });
  });

  it('reports a partition-count difference instead of fixing it', () => {
    const plan = planTopics([state], [{ name: 'desired', partitions: 12, cleanupPolicy: 'compact' }]);
    expect(plan.create).toEqual([]);
    expect(plan.drift).toEqual([{ topic: 'desired', property: 'partitions', expected: '6', actual: '12' }]);
    expect(describeDrift(plan.drift)).toContain('desired: partitions is 12, expected 6');
  });

  it('reports a state topic that is not compacted, and compact,delete as drift', () => {
    expect(planTopics([state], [{ name: 'desired', partitions: 6, cleanupPolicy: 'delete' }]).drift).toEqual([
      { topic: 'desired', property: 'cleanup.policy', expected: 'compact', actual: 'delete' },
    ]);
    expect(
      planTopics([state], [{ name: 'desired', partitions: 6, cleanupPolicy: 'delete,compact' }]).drift,
    ).toHaveLength(1);
    expect(
      planTopics([events], [{ name: 'drift', partitions: 6, cleanupPolicy: 'compact' }]).drift,
    ).toHaveLength(1);
  });
});

describe('topicConfigEntries', () => {
  it('sets compaction for state topics and min.insync.replicas by replica count', () => {
    expect(topicConfigEntries(state)).toEqual([
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'min.insync.replicas', value: '1' },
    ]);
    expect(topicConfigEntries({ ...events, configs: { 'retention.ms': '604800000' } })).toEqual([
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'min.insync.replicas', value: '2' },
      { name: 'retention.ms', value: '604800000' },
    ]);
  });
});
