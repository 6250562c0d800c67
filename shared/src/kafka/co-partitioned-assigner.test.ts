import { AssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { coPartitionedAssigner, withCoPartitionedAssignment } from './co-partitioned-assigner.ts';

function assignerFor(partitions: Record<string, number>) {
  const cluster = {
    findTopicPartitionMetadata: (topic: string) =>
      Array.from({ length: partitions[topic] ?? 0 }, (_, partitionId) => ({ partitionId })),
  };
  return coPartitionedAssigner({ cluster, groupId: 'g', logger: {} } as unknown as Parameters<
    typeof coPartitionedAssigner
  >[0]);
}

async function assign(members: string[], partitions: Record<string, number>) {
  const assigner = assignerFor(partitions);
  const result = await assigner.assign({
    members: members.map((memberId) => ({ memberId, memberMetadata: Buffer.alloc(0) })),
    topics: Object.keys(partitions),
  });
  return new Map(
    result.map(({ memberId, memberAssignment }) => [
      memberId,
      AssignerProtocol.MemberAssignment.decode(memberAssignment)?.assignment ?? {},
    ]),
  );
}

describe('coPartitionedAssigner', () => {
  it('gives partition p of every topic to the same member, also with an odd partition count', async () => {
    const assignment = await assign(['m-b', 'm-a'], { desired: 3, observed: 3 });
    expect(assignment.get('m-a')).toEqual({ desired: [0, 2], observed: [0, 2] });
    expect(assignment.get('m-b')).toEqual({ desired: [1], observed: [1] });
  });

  it('assigns every partition exactly once, deterministically, whatever the member order', async () => {
    const members = ['c', 'a', 'b'];
    const first = await assign(members, { desired: 8, observed: 8 });
    const second = await assign([...members].reverse(), { desired: 8, observed: 8 });
    expect(second).toEqual(first);
    const all = [...first.values()].flatMap((a) => a['desired'] ?? []).sort((x, y) => x - y);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const a of first.values()) expect(a['observed']).toEqual(a['desired']);
  });

  it('a member with nothing to own gets an empty assignment', async () => {
    const assignment = await assign(['a', 'b', 'c'], { desired: 2, observed: 2 });
    expect(assignment.get('c')).toEqual({});
  });

  it('withCoPartitionedAssignment adds the assigner to every consumer config', () => {
    const configs: unknown[] = [];
    const kafka = { consumer: (config: unknown) => configs.push(config) as never };
    withCoPartitionedAssignment(kafka as never).consumer({ groupId: 'g' });
    expect(configs).toEqual([{ groupId: 'g', partitionAssigners: [coPartitionedAssigner] }]);
  });
});
