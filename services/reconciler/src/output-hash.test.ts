import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDriftSets, driftKeyHash, driftSetDigest, driftSetOf, type DriftFact } from './output-hash.ts';

const fact = (
  key: string,
  status: DriftFact['status'],
  fingerprint = 'f1',
  keyStatus: DriftFact['keyStatus'] = 'drifting',
): DriftFact => ({
  key,
  status,
  keyStatus,
  fingerprint,
});

describe('output hash', () => {
  it('keeps the latest drift per key and drops resolved keys', () => {
    const set = driftSetOf([
      fact('a', 'opened', 'f1'),
      fact('b', 'opened', 'f1'),
      fact('a', 'changed', 'f2'),
      fact('b', 'resolved', 'f1', 'in_sync'),
    ]);
    expect([...set.keys()]).toEqual(['a']);
    expect(set.get('a')).toBe(driftKeyHash(fact('a', 'changed', 'f2')));
  });

  it('hashes what the drift is, not how it was reached (status opened vs changed, other keys)', () => {
    expect(driftKeyHash(fact('a', 'opened', 'f2'))).toBe(driftKeyHash(fact('a', 'changed', 'f2')));
    expect(driftKeyHash(fact('a', 'opened', 'f2'))).not.toBe(driftKeyHash(fact('b', 'opened', 'f2')));
    expect(driftKeyHash(fact('a', 'opened', 'f2'))).not.toBe(
      driftKeyHash(fact('a', 'opened', 'f2', 'unknown')),
    );
    expect(driftKeyHash(fact('a', 'opened', 'f2'))).not.toBe(driftKeyHash(fact('a', 'opened', 'f3')));
  });

  it('compares two drift sets key by key', () => {
    const expected = driftSetOf([fact('a', 'opened'), fact('b', 'opened'), fact('c', 'opened')]);
    const actual = driftSetOf([fact('a', 'opened'), fact('b', 'opened', 'other'), fact('d', 'opened')]);
    const comparison = compareDriftSets(expected, actual);
    expect(comparison.equal).toBe(false);
    expect(comparison.keys).toBe(4);
    expect(comparison.same).toBe(1);
    expect(comparison.different.map((d) => [d.key, d.expected === null, d.actual === null])).toEqual([
      ['b', false, false],
      ['c', false, true],
      ['d', true, false],
    ]);
    expect(compareDriftSets(expected, expected)).toMatchObject({ equal: true, same: 3, different: [] });
  });

  it('the digest depends only on the set, not on the order events of different keys arrived in', () => {
    const events = fc.array(
      fc.record({
        key: fc.constantFrom('a', 'b', 'c', 'd'),
        status: fc.constantFrom('opened' as const, 'changed' as const, 'resolved' as const),
        keyStatus: fc.constantFrom('drifting' as const, 'missing' as const),
        fingerprint: fc.constantFrom('f1', 'f2'),
      }),
    );
    fc.assert(
      fc.property(events, fc.integer(), (list, seed) => {
        // Shuffle across keys while keeping each key's own order.
        const byKey = new Map<string, DriftFact[]>();
        for (const e of list) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
        const queues = [...byKey.values()];
        const shuffled: DriftFact[] = [];
        let s = seed;
        while (queues.some((q) => q.length > 0)) {
          s = (s * 1103515245 + 12345) & 0x7fffffff;
          const nonEmpty = queues.filter((q) => q.length > 0);
          const next = nonEmpty[s % nonEmpty.length]?.shift();
          if (next !== undefined) shuffled.push(next);
        }
        expect(driftSetDigest(driftSetOf(shuffled))).toBe(driftSetDigest(driftSetOf(list)));
      }),
    );
  });
});
