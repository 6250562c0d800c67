import { describe, expect, it } from 'vitest';
import { lateLineageWrites, resolveLineageWrites, settleClaimWrites } from './lineage.ts';

describe('resolveLineageWrites', () => {
  it('achieves the key’s outstanding operations created up to the resolution and releases their claims', () => {
    expect(resolveLineageWrites('k', 'e9', 500).map((w) => [w.collection, w.model])).toEqual([
      [
        'operations',
        {
          updateMany: {
            filter: { key: 'k', outcome: 'outstanding', createdAtMs: { $lte: 500 } },
            update: { $set: { outcome: 'achieved', achievedByEventId: 'e9', achievedAtMs: 500 } },
          },
        },
      ],
      [
        'outstanding_operations',
        {
          updateMany: {
            filter: { key: 'k', released: false, createdAtMs: { $lte: 500 } },
            update: { $set: { released: true, releasedByEventId: 'e9', releasedAtMs: 500 } },
          },
        },
      ],
    ]);
  });
});

describe('lateLineageWrites', () => {
  it.each([
    ['no drift stored', null, 0],
    ['an open drift', { _id: 'k', status: 'opened' }, 0],
    [
      'a resolved drift without its event id',
      { _id: 'k', status: 'resolved', resolvedEventId: null, resolvedAtMs: 5 },
      0,
    ],
    ['a resolved drift', { _id: 'k', status: 'resolved', resolvedEventId: 'e', resolvedAtMs: 5 }, 2],
  ] as const)('%s → %d writes', (_name, drift, count) => {
    expect(lateLineageWrites(drift)).toHaveLength(count);
  });

  it('repeats the resolution’s lineage for a resolved drift', () => {
    expect(
      lateLineageWrites({ _id: 'k', status: 'resolved', resolvedEventId: 'e', resolvedAtMs: 5 }),
    ).toEqual(resolveLineageWrites('k', 'e', 5));
  });
});

describe('settleClaimWrites', () => {
  it('supersedes the older outstanding operations of the claim’s key and type, never a newer one', () => {
    const claim = {
      _id: 'k|VerticalScaling',
      key: 'k',
      type: 'VerticalScaling',
      operationId: 'op-new',
      desiredGeneration: 3,
      createdAtMs: 9,
      released: false,
    };
    expect(settleClaimWrites(claim).map((w) => w.model)).toEqual([
      {
        updateMany: {
          filter: {
            key: 'k',
            type: 'VerticalScaling',
            outcome: 'outstanding',
            _id: { $ne: 'op-new' },
            $or: [{ desiredGeneration: { $lt: 3 } }, { desiredGeneration: 3, createdAtMs: { $lt: 9 } }],
          },
          update: { $set: { outcome: 'superseded', supersededBy: 'op-new' } },
        },
      },
    ]);
  });
  it('does nothing without a claim', () => expect(settleClaimWrites(null)).toEqual([]));
});
