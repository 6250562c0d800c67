import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isNewer,
  newerThanStoredFilter,
  olderThanTombstoneFilter,
  resourceVersionOrder,
  sourceOffsetOf,
} from './version-guard.ts';

describe('isNewer', () => {
  it.each([
    ['no document yet', { version: 1, sourceOffset: 0 }, null, true],
    ['higher version', { version: 8, sourceOffset: 3 }, { version: 7, sourceOffset: 90 }, true],
    [
      'lower version, higher offset',
      { version: 6, sourceOffset: 99 },
      { version: 7, sourceOffset: 3 },
      false,
    ],
    ['same version, later offset', { version: 7, sourceOffset: 4 }, { version: 7, sourceOffset: 3 }, true],
    ['the same record replayed', { version: 7, sourceOffset: 3 }, { version: 7, sourceOffset: 3 }, false],
    ['same version, earlier offset', { version: 7, sourceOffset: 2 }, { version: 7, sourceOffset: 3 }, false],
  ] as const)('%s', (_name, incoming, stored, expected) => {
    expect(isNewer(incoming, stored)).toBe(expected);
  });

  it('is a strict total order: of two different versions exactly one replaces the other', () => {
    const version = fc.record({ version: fc.integer({ min: -1, max: 50 }), sourceOffset: fc.nat(50) });
    fc.assert(
      fc.property(version, version, (a, b) => {
        const same = a.version === b.version && a.sourceOffset === b.sourceOffset;
        expect(isNewer(a, b) !== isNewer(b, a)).toBe(!same);
        if (same) expect(isNewer(a, b)).toBe(false);
      }),
    );
  });
});

describe('resourceVersionOrder', () => {
  it.each([
    ['12345', 12345],
    ['0', 0],
    ['9007199254740991', 9007199254740991],
    ['99999999999999999', -1],
    ['abc', -1],
    ['12a', -1],
    ['', -1],
    ['-5', -1],
  ])('%s → %d', (rv, expected) => expect(resourceVersionOrder(rv)).toBe(expected));
});

describe('sourceOffsetOf', () => {
  it('reads int64 decimal strings within 2^53', () => expect(sourceOffsetOf('42')).toBe(42));
  it('refuses what it cannot compare exactly', () => {
    expect(() => sourceOffsetOf('9007199254740993')).toThrow(RangeError);
    expect(() => sourceOffsetOf('-1')).toThrow(RangeError);
  });
});

describe('filters', () => {
  it('newerThanStoredFilter states isNewer for an _id', () => {
    expect(newerThanStoredFilter('k', { version: 7, sourceOffset: 3 })).toEqual({
      _id: 'k',
      $or: [
        { version: { $exists: false } },
        { version: { $lt: 7 } },
        { version: 7, sourceOffset: { $lt: 3 } },
      ],
    });
  });
  it('olderThanTombstoneFilter only matches documents from earlier offsets', () => {
    expect(olderThanTombstoneFilter('k', 9)).toEqual({
      _id: 'k',
      $or: [{ sourceOffset: { $exists: false } }, { sourceOffset: { $lt: 9 } }],
    });
  });
});
