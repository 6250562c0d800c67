import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import type { KafkaClient } from './client-factory.ts';

/**
 * coPartitionedAssigner is a kafkajs partition assigner that gives partition number `p` of EVERY
 * subscribed topic to the same member (`sorted members[p % members]`), the guarantee a join of
 * co-partitioned topics needs: a key's records sit in the same partition number of every topic
 * (same partition count, same partitioner), so one member must own all of them (the reconciler
 * joins desired and observed this way). kafkajs ships only a round-robin
 * assigner, which hands consecutive topic-partitions to different members and splits the pair
 * whenever the partition count is odd (Java's RangeAssignor would keep them together).
 * Deterministic: the same members and partitions always give the same assignment.
 */
export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'DriftlineCoPartitionedAssigner',
  version: 0,
  async assign({ members, topics }) {
    const sortedMembers = members.map(({ memberId }) => memberId).sort();
    const assignment = new Map<string, Record<string, number[]>>();
    for (const memberId of sortedMembers)
      assignment.set(memberId, Object.create(null) as Record<string, number[]>);
    for (const topic of topics) {
      const partitions = cluster
        .findTopicPartitionMetadata(topic)
        .map((metadata) => metadata.partitionId)
        .sort((a, b) => a - b);
      for (const partition of partitions) {
        const memberId = sortedMembers[partition % sortedMembers.length];
        if (memberId === undefined) continue;
        const topicsOfMember = assignment.get(memberId);
        if (topicsOfMember === undefined) continue;
        (topicsOfMember[topic] ??= []).push(partition);
      }
    }
    return [...assignment].map(([memberId, memberTopics]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 0,
        assignment: memberTopics,
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return {
      name: 'DriftlineCoPartitionedAssigner',
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    };
  },
});

/**
 * withCoPartitionedAssignment returns a `consumer` factory over `kafka` whose consumers use
 * `coPartitionedAssigner`; pass it to `createConsumerRunner` in place of the client. Every member
 * of the group must use it (kafkajs picks a protocol all members support).
 */
export function withCoPartitionedAssignment(
  kafka: Pick<KafkaClient, 'consumer'>,
): Pick<KafkaClient, 'consumer'> {
  return {
    consumer: (config) => kafka.consumer({ ...config, partitionAssigners: [coPartitionedAssigner] }),
  };
}
