import { describe, expect, it } from 'vitest';
import { isNewerOrSameDesired, isNewerOrSameObserved, revisionOf } from './monotonic.ts';
import { desiredRecord, observedRecord } from './test-records.ts';

describe('isNewerOrSameDesired', () => {
  it.each([
    [2, '1.1', 1, '9.9', true],
    [1, '9.9', 2, '1.1', false],
    [2, '10.1', 2, '9.5', true],
    [2, '9.5', 2, '10.1', false],
    [2, '10.2', 2, '10.1', true],
    [2, '10.1', 2, '10.2', false],
    [2, '10.1', 2, '10.1', true],
    [2, null, 2, '10.1', true],
  ] as const)('generation %d @ %s over %d @ %s → %s', (g1, t1, g2, t2, expected) => {
    const next = desiredRecord({ generation: g1, clusterTime: t1 });
    const current = desiredRecord({ generation: g2, clusterTime: t2 });
    expect(isNewerOrSameDesired(next, current)).toBe(expected);
  });
});

describe('isNewerOrSameObserved', () => {
  it.each([
    ['101', 'uid-1', '100', 'uid-1', true],
    ['99', 'uid-1', '100', 'uid-1', false],
    ['1000', 'uid-1', '999', 'uid-1', true],
    ['0999', 'uid-1', '1000', 'uid-1', false],
    ['18446744073709551616', 'uid-1', '18446744073709551615', 'uid-1', true],
    ['100', 'uid-1', '100', 'uid-1', true],
    ['5', 'uid-2', '100', 'uid-1', true],
    ['abc', 'uid-1', '100', 'uid-1', true],
    ['5', null, '100', 'uid-1', false],
  ] as const)('resourceVersion %s (%s) over %s (%s) → %s', (rv1, uid1, rv2, uid2, expected) => {
    const next = observedRecord({ resourceVersion: rv1, uid: uid1 });
    const current = observedRecord({ resourceVersion: rv2, uid: uid2 });
    expect(isNewerOrSameObserved(next, current)).toBe(expected);
  });
});

describe('revisionOf', () => {
  it.each([
    ['0', 0],
    ['0999', 999],
    ['123456789', 123_456_789],
    ['1234567890', null],
    ['', null],
    ['12a', null],
    ['-1', null],
  ] as const)('%s → %s', (resourceVersion, expected) => {
    expect(revisionOf(resourceVersion)).toBe(expected);
  });

  it('orders revisions as isNewerOrSameObserved orders their resourceVersions (same uid)', () => {
    const versions = ['5', '05', '99', '100', '0100', '999999999'];
    for (const a of versions)
      for (const b of versions) {
        const next = observedRecord({ resourceVersion: a });
        const current = observedRecord({ resourceVersion: b });
        expect((revisionOf(a) ?? 0) >= (revisionOf(b) ?? 0)).toBe(isNewerOrSameObserved(next, current));
      }
  });
});
