import { AssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { chooseLeaseHolder, stickyLeaseAssigner } from './sticky-lease-assigner.ts';

describe('chooseLeaseHolder', () => {
  it('keeps the lease with the member that holds it', () => {
    expect(
      chooseLeaseHolder([
        { memberId: 'a', holder: false },
        { memberId: 'z', holder: true },
      ]),
    ).toBe('z');
  });
  it('falls back to the lowest member id, deterministically', () => {
    expect(
      chooseLeaseHolder([
        { memberId: 'b', holder: false },
        { memberId: 'a', holder: false },
      ]),
    ).toBe('a');
    expect(
      chooseLeaseHolder([
        { memberId: 'b', holder: true },
        { memberId: 'a', holder: true },
      ]),
    ).toBe('a');
    expect(chooseLeaseHolder([])).toBeNull();
  });
});

describe('stickyLeaseAssigner', () => {
  it('advertises holdership and assigns partition 0 to the holder only', async () => {
    const make = (holder: boolean) =>
      stickyLeaseAssigner('lease', () => holder)({} as never).protocol({ topics: ['lease'] }).metadata;
    const assigner = stickyLeaseAssigner('lease', () => false)({} as never);
    const result = await assigner.assign({
      members: [
        { memberId: 'a-standby', memberMetadata: make(false) },
        { memberId: 'b-holder', memberMetadata: make(true) },
      ],
      topics: ['lease'],
    });
    const decoded = Object.fromEntries(
      result.map((r) => [
        r.memberId,
        AssignerProtocol.MemberAssignment.decode(r.memberAssignment)?.assignment,
      ]),
    );
    expect(decoded).toEqual({ 'a-standby': {}, 'b-holder': { lease: [0] } });
  });
});
