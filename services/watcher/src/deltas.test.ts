import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deltas } from './deltas.ts';

interface Rec {
  key: string;
  resourceVersion: string;
  replicas?: number;
}

const r = (key: string, resourceVersion: string, replicas = 1): Rec => ({ key, resourceVersion, replicas });

describe('Deltas', () => {
  it('publishes an upsert per new or changed object and nothing for a replayed one', () => {
    const deltas = new Deltas<Rec>();
    expect(deltas.apply('ADDED', r('a', '1'))).toEqual([{ type: 'upsert', key: 'a', record: r('a', '1') }]);
    expect(deltas.apply('ADDED', r('a', '1'))).toEqual([]);
    expect(deltas.apply('MODIFIED', r('a', '2'))).toHaveLength(1);
    expect(deltas.apply('MODIFIED', r('a', '2'))).toEqual([]);
  });

  it('publishes a delete for a known key once, and nothing for an unknown one', () => {
    const deltas = new Deltas<Rec>();
    deltas.apply('ADDED', r('a', '1'));
    expect(deltas.apply('DELETED', r('a', '3'))).toEqual([
      { type: 'delete', key: 'a', resourceVersion: '3' },
    ]);
    expect(deltas.apply('DELETED', r('a', '3'))).toEqual([]);
    expect(deltas.apply('DELETED', r('zz', '4'))).toEqual([]);
  });

  it('replace: deletes keys that vanished during the gap, updates changed ones, skips unchanged ones, then marks the resync', () => {
    const deltas = new Deltas<Rec>();
    deltas.replace([r('a', '1'), r('b', '2'), r('c', '3')], '3');
    const out = deltas.replace([r('a', '1'), r('c', '9'), r('d', '8')], '9');
    expect(out).toEqual([
      { type: 'delete', key: 'b', resourceVersion: null },
      { type: 'upsert', key: 'c', record: r('c', '9') },
      { type: 'upsert', key: 'd', record: r('d', '8') },
      { type: 'resync', resourceVersion: '9', deleted: 1, updated: 2, unchanged: 1 },
    ]);
    expect(deltas.size).toBe(3);
  });

  it('seed: a LIST equal to what is already published produces only the resync marker', () => {
    const deltas = new Deltas<Rec>();
    deltas.seed([r('a', '1'), r('b', '2'), r('gone', '1')]);
    expect(deltas.replace([r('a', '1'), r('b', '2')], '5')).toEqual([
      { type: 'delete', key: 'gone', resourceVersion: null },
      { type: 'resync', resourceVersion: '5', deleted: 1, updated: 0, unchanged: 2 },
    ]);
  });

  it('a content fingerprint catches a changed record with an unchanged resourceVersion', () => {
    const deltas = new Deltas<Rec>((rec) => `${rec.resourceVersion}|${rec.replicas}`);
    deltas.seed([r('a', '1', 1)]);
    expect(deltas.replace([r('a', '1', 3)], '2')).toHaveLength(2);
  });

  it('property: after any history, replace(list) leaves the published table equal to the list', () => {
    const op = fc.oneof(
      fc.record({
        t: fc.constantFrom('ADDED', 'MODIFIED', 'DELETED' as const),
        k: fc.integer({ min: 0, max: 6 }),
        v: fc.integer({ min: 0, max: 4 }),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 30 }),
        fc.dictionary(fc.integer({ min: 0, max: 6 }).map(String), fc.integer({ min: 0, max: 4 }).map(String)),
        (history, finalList) => {
          const deltas = new Deltas<Rec>();
          const table = new Map<string, string>();
          const publish = (out: ReturnType<typeof deltas.replace>) => {
            for (const d of out) {
              if (d.type === 'upsert') table.set(d.key, d.record.resourceVersion);
              if (d.type === 'delete') table.delete(d.key);
            }
          };
          for (const h of history) {
            publish(deltas.apply(h.t as 'ADDED' | 'MODIFIED' | 'DELETED', r(String(h.k), String(h.v))));
          }
          const list = Object.entries(finalList).map(([k, v]) => r(k, v));
          publish(deltas.replace(list, '99'));
          expect(Object.fromEntries(table)).toEqual(finalList);
        },
      ),
    );
  });
});
