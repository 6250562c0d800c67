import { topicContracts, topicIds, type TopicId } from '@driftline/schemas';
import type { TopicSpec } from './ports.ts';

/** DriftlineTopicSetOptions size the driftline topics; names default to the contracts' names. */
export interface DriftlineTopicSetOptions {
  /** Partition count of every co-partitioned topic (desired, observed, drift, operations). */
  readonly coPartitionedPartitions: number;
  /** Partition count of the other topics (providers, provider health, dead letters). */
  readonly otherPartitions: number;
  readonly replicationFactor: number;
  /** Overrides of the default Kafka names, by topic id. */
  readonly names?: Partial<Readonly<Record<TopicId, string>>>;
  /** Extra topic configs by topic id (e.g. retention.ms for drift.v1). */
  readonly configs?: Partial<Readonly<Record<TopicId, Readonly<Record<string, string>>>>>;
}

/**
 * driftlineTopicSet builds the TopicSpec of every driftline topic from `@driftline/schemas`'s
 * `topicContracts`: compaction from the contract, and one partition count shared by the whole
 * co-partitioned group, so a key's desired, observed, drift and operations records land in the
 * same partition number. Throws a RangeError on a non-positive count.
 */
export function driftlineTopicSet(options: DriftlineTopicSetOptions): TopicSpec[] {
  for (const [name, value] of [
    ['coPartitionedPartitions', options.coPartitionedPartitions],
    ['otherPartitions', options.otherPartitions],
    ['replicationFactor', options.replicationFactor],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`driftlineTopicSet: ${name} must be ≥ 1, got ${value}`);
  }
  return topicIds.map((id) => {
    const contract = topicContracts[id];
    const configs = options.configs?.[id];
    return {
      name: options.names?.[id] ?? contract.defaultName,
      partitions: contract.coPartitioned ? options.coPartitionedPartitions : options.otherPartitions,
      replicationFactor: options.replicationFactor,
      compacted: contract.compacted,
      ...(configs === undefined ? {} : { configs }),
    };
  });
}
