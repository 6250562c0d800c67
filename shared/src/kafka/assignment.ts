import type { TopicPartition } from './ports.ts';

/** AssignmentChange is how a member's partitions changed across a group join. */
export interface AssignmentChange {
  readonly assigned: readonly TopicPartition[];
  readonly revoked: readonly TopicPartition[];
  readonly current: readonly TopicPartition[];
}

const id = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

function sorted(list: TopicPartition[]): TopicPartition[] {
  return list.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}

/**
 * assignmentFromMember flattens kafkajs's `memberAssignment` (`{ topic: partitions[] }`) into a
 * sorted list of topic-partitions.
 */
export function assignmentFromMember(
  memberAssignment: Readonly<Record<string, readonly number[]>>,
): TopicPartition[] {
  return sorted(
    Object.entries(memberAssignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => ({ topic, partition })),
    ),
  );
}

/**
 * diffAssignment compares the partitions owned before and after a group join: `assigned` are new,
 * `revoked` are gone, `current` is the new whole. Both lists are sorted by topic, then partition.
 */
export function diffAssignment(
  previous: readonly TopicPartition[],
  next: readonly TopicPartition[],
): AssignmentChange {
  const before = new Set(previous.map(id));
  const after = new Set(next.map(id));
  return {
    assigned: sorted(next.filter((tp) => !before.has(id(tp)))),
    revoked: sorted(previous.filter((tp) => !after.has(id(tp)))),
    current: sorted([...next]),
  };
}
