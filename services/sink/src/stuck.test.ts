import { describe, expect, it } from 'vitest';
import { isStuck, stuckCandidatesFilter, stuckWrites } from './stuck.ts';

const HOUR = 3_600_000;

describe('isStuck', () => {
  it.each([
    ['outstanding past the limit', { released: false, createdAtMs: 0 }, HOUR + 1, true],
    ['exactly at the limit', { released: false, createdAtMs: 0 }, HOUR, false],
    ['young', { released: false, createdAtMs: 0 }, 10, false],
    ['released (achieved)', { released: true, createdAtMs: 0 }, 10 * HOUR, false],
    ['already flagged', { released: false, stuck: true, createdAtMs: 0 }, 10 * HOUR, false],
  ] as const)('%s → %s', (_name, claim, nowMs, expected) => {
    expect(isStuck(claim, nowMs, HOUR)).toBe(expected);
  });
});

describe('stuckCandidatesFilter', () => {
  it('selects unreleased, unflagged claims created before now - stuckAfter', () => {
    expect(stuckCandidatesFilter(5 * HOUR, HOUR)).toEqual({
      released: false,
      stuck: { $ne: true },
      createdAtMs: { $lt: 4 * HOUR },
    });
  });
});

describe('stuckWrites', () => {
  it('flags the operations (only if still outstanding) and their claims at now', () => {
    const claims = [
      {
        _id: 'a|H',
        key: 'a',
        type: 'H',
        operationId: 'op-a',
        desiredGeneration: 1,
        createdAtMs: 0,
        released: false,
      },
      {
        _id: 'b|H',
        key: 'b',
        type: 'H',
        operationId: 'op-b',
        desiredGeneration: 1,
        createdAtMs: 0,
        released: false,
      },
    ];
    expect(stuckWrites(claims, 77).map((w) => [w.collection, w.model])).toEqual([
      [
        'operations',
        {
          updateMany: {
            filter: { _id: { $in: ['op-a', 'op-b'] }, outcome: 'outstanding' },
            update: { $set: { stuck: true, stuckAtMs: 77 } },
          },
        },
      ],
      [
        'outstanding_operations',
        {
          updateMany: {
            filter: { _id: { $in: ['a|H', 'b|H'] }, released: false },
            update: { $set: { stuck: true, stuckAtMs: 77 } },
          },
        },
      ],
    ]);
  });
  it('writes nothing when nothing is stuck', () => expect(stuckWrites([], 1)).toEqual([]));
});
