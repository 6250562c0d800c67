import { AssignerProtocol, type Assigner, type GroupMember, type PartitionAssigner } from 'kafkajs';

/** LEASE_ASSIGNER_NAME is the group protocol name every member of a lease group must agree on. */
export const LEASE_ASSIGNER_NAME = 'DriftlineStickyLease';

const HOLDER = 'holder';

/** MemberClaim is what a member said about itself when it joined: does it hold the lease now? */
export interface MemberClaim {
  readonly memberId: string;
  readonly holder: boolean;
}

/**
 * chooseLeaseHolder picks the member that gets partition 0: the lowest member id among those
 * that claim to hold the lease now (normally exactly one: the lease is sticky, so a standby
 * joining never takes it from a live holder), else the lowest member id. Deterministic, so every
 * leader election computes the same answer. Null for an empty group.
 */
export function chooseLeaseHolder(members: readonly MemberClaim[]): string | null {
  const sorted = [...members].sort((a, b) =>
    a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0,
  );
  return (sorted.find((m) => m.holder) ?? sorted[0])?.memberId ?? null;
}

function claimOf(member: GroupMember): MemberClaim {
  try {
    const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
    return { memberId: member.memberId, holder: metadata?.userData.toString('utf8') === HOLDER };
  } catch {
    return { memberId: member.memberId, holder: false };
  }
}

/**
 * stickyLeaseAssigner is a kafkajs partition assigner for the one-partition lease topic: each
 * member advertises (in its join metadata) whether it holds the lease, and the group leader gives
 * partition 0 to the current holder, so a rebalance caused by a standby joining or leaving does
 * not move the lease (kafkajs's round-robin would hand it to whichever member sorts first).
 * `isHolder` is read at every join.
 */
export function stickyLeaseAssigner(topic: string, isHolder: () => boolean): PartitionAssigner {
  return (): Assigner => ({
    name: LEASE_ASSIGNER_NAME,
    version: 1,
    async assign({ members }) {
      const holder = chooseLeaseHolder(members.map(claimOf));
      return members.map((member) => ({
        memberId: member.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: member.memberId === holder ? { [topic]: [0] } : {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: LEASE_ASSIGNER_NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 1,
          topics,
          userData: Buffer.from(isHolder() ? HOLDER : 'standby', 'utf8'),
        }),
      };
    },
  });
}
