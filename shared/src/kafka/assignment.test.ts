import { describe, expect, it } from 'vitest';
import { assignmentFromMember, diffAssignment } from './assignment.ts';

describe('assignment', () => {
  it('flattens and sorts a kafkajs member assignment', () => {
    expect(assignmentFromMember({ b: [1, 0], a: [2] })).toEqual([
      { topic: 'a', partition: 2 },
      { topic: 'b', partition: 0 },
      { topic: 'b', partition: 1 },
    ]);
  });

  it('reports what a rebalance added and took away', () => {
    const before = assignmentFromMember({ t: [0, 1, 2] });
    const after = assignmentFromMember({ t: [2, 3] });
    expect(diffAssignment(before, after)).toEqual({
      assigned: [{ topic: 't', partition: 3 }],
      revoked: [
        { topic: 't', partition: 0 },
        { topic: 't', partition: 1 },
      ],
      current: after,
    });
  });

  it('reports nothing when the assignment is unchanged', () => {
    const same = assignmentFromMember({ t: [0] });
    expect(diffAssignment(same, same)).toEqual({ assigned: [], revoked: [], current: same });
  });
});
