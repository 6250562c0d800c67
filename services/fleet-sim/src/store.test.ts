import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualClock } from './clock.ts';
import type { KubeObject } from './kube-object.ts';
import { CHANGED_AT_ANNOTATION, ClusterStore, type ObjectInput, type StoreEvent } from './store.ts';

function input(name: string, replicas = 3, namespace = 'ns'): ObjectInput {
  return { apiVersion: 'kubedb.com/v1', kind: 'MongoDB', metadata: { name, namespace }, spec: { replicas } };
}

function newStore(historyWindow = 100) {
  const clock = manualClock(1_000);
  let uid = 0;
  const store = new ClusterStore({ historyWindow, clock, newUid: () => `uid-${++uid}` });
  return { store, clock };
}

function mustCreate(store: ClusterStore, name: string, replicas = 3): KubeObject {
  const result = store.create('mongodbs', input(name, replicas));
  if (!result.ok) throw new Error(result.status.message);
  return result.object;
}

describe('ClusterStore', () => {
  it('stamps identity, generation, a monotonic resourceVersion and the change time on create', () => {
    const { store, clock } = newStore();
    const a = mustCreate(store, 'a');
    clock.advance(5);
    const b = mustCreate(store, 'b');
    expect(a.metadata).toMatchObject({ uid: 'uid-1', generation: 1, resourceVersion: '1' });
    expect(b.metadata.resourceVersion).toBe('2');
    expect(b.metadata.annotations?.[CHANGED_AT_ANNOTATION]).toBe('1005');
    expect(store.revision).toBe(2);
  });

  it('answers AlreadyExists for a taken name', () => {
    const { store } = newStore();
    mustCreate(store, 'a');
    const again = store.create('mongodbs', input('a'));
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.status).toMatchObject({ code: 409, reason: 'AlreadyExists' });
  });

  it('rejects an update with a stale resourceVersion with Conflict', () => {
    const { store } = newStore();
    const a = mustCreate(store, 'a');
    const first = store.update('mongodbs', { ...a, spec: { replicas: 5 } }, 'main');
    expect(first.ok).toBe(true);
    const stale = store.update('mongodbs', { ...a, spec: { replicas: 7 } }, 'main');
    expect(stale.ok).toBe(false);
    if (!stale.ok) expect(stale.status).toMatchObject({ code: 409, reason: 'Conflict' });
  });

  it('skips a no-op update without taking a revision', () => {
    const { store } = newStore();
    const a = mustCreate(store, 'a');
    const events: StoreEvent[] = [];
    store.subscribe((e) => events.push(e));
    const same = store.update('mongodbs', a, 'main');
    expect(same.ok && same.object.metadata.resourceVersion).toBe('1');
    expect(store.revision).toBe(1);
    expect(events).toEqual([]);
  });

  it('emits ADDED, MODIFIED and DELETED in revision order, DELETED stamped with its revision', () => {
    const { store } = newStore();
    const events: StoreEvent[] = [];
    store.subscribe((e) => events.push(e));
    const a = mustCreate(store, 'a');
    store.update('mongodbs', { ...a, spec: { replicas: 4 } }, 'main');
    store.delete('mongodbs', 'ns', 'a');
    expect(events.map((e) => [e.type, e.revision, e.object.metadata.resourceVersion])).toEqual([
      ['ADDED', 1, '1'],
      ['MODIFIED', 2, '2'],
      ['DELETED', 3, '3'],
    ]);
    expect(events[1]?.object.metadata.generation).toBe(2);
  });

  it('rebuilds a snapshot at an older revision from the history window', () => {
    const { store } = newStore();
    const a = mustCreate(store, 'a', 1);
    mustCreate(store, 'c', 1);
    store.update('mongodbs', { ...a, spec: { replicas: 2 } }, 'main'); // rev 3
    mustCreate(store, 'b', 1); // rev 4
    store.delete('mongodbs', 'ns', 'c'); // rev 5
    const at2 = store.snapshot('mongodbs', 2);
    if (at2 === 'expired') throw new Error('expired');
    expect(at2.keys).toEqual(['ns/a', 'ns/c']);
    expect(at2.get('ns/a')?.spec).toEqual({ replicas: 1 });
    const now = store.snapshot('mongodbs');
    if (now === 'expired') throw new Error('expired');
    expect(now.keys).toEqual(['ns/a', 'ns/b']);
    expect(now.revision).toBe(5);
  });

  it('expires snapshots and event replays older than the window', () => {
    const { store } = newStore(2);
    for (const name of ['a', 'b', 'c', 'd']) mustCreate(store, name);
    expect(store.snapshot('mongodbs', 1)).toBe('expired');
    expect(store.eventsSince(1)).toEqual({ expired: true });
    expect(store.eventsSince(2).expired).toBe(false);
    store.compact();
    expect(store.eventsSince(3)).toEqual({ expired: true });
    expect(store.eventsSince(4)).toEqual({ expired: false, events: [] });
  });

  it('keeps status on the main resource and spec on the status subresource', () => {
    const { store } = newStore();
    const a = mustCreate(store, 'a');
    const status = store.update(
      'mongodbs',
      { ...a, status: { phase: 'Ready', observedGeneration: 1 } },
      'status',
    );
    if (!status.ok) throw new Error(status.status.message);
    const main = store.update(
      'mongodbs',
      { ...status.object, spec: { replicas: 9 }, status: { phase: 'Halted' } },
      'main',
    );
    if (!main.ok) throw new Error(main.status.message);
    expect(main.object.status).toEqual({ phase: 'Ready', observedGeneration: 1 });
    expect(main.object.metadata.generation).toBe(2);
  });
});

describe('ClusterStore snapshots (property)', () => {
  type Op = { op: 'create' | 'update' | 'delete'; name: string; replicas: number };
  const opArb = fc.record({
    op: fc.constantFrom<Op['op']>('create', 'update', 'delete'),
    name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
    replicas: fc.integer({ min: 1, max: 9 }),
  });

  it('rebuilds exactly the state every past revision in the window had', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const { store } = newStore(1000);
        const states: Map<string, unknown>[] = [new Map()];
        for (const { op, name, replicas } of ops) {
          const existing = store.get('mongodbs', 'ns', name);
          if (op === 'create') store.create('mongodbs', input(name, replicas));
          else if (op === 'update' && existing)
            store.update('mongodbs', { ...existing, spec: { replicas } }, 'main');
          else if (op === 'delete') store.delete('mongodbs', 'ns', name);
          const now = store.snapshot('mongodbs');
          if (now === 'expired') throw new Error('current snapshot cannot expire');
          states[store.revision] = new Map(now.keys.map((k) => [k, now.get(k)?.spec]));
        }
        for (let revision = 0; revision <= store.revision; revision += 1) {
          const expected = states[revision];
          if (expected === undefined) continue;
          const snapshot = store.snapshot('mongodbs', revision);
          if (snapshot === 'expired') throw new Error(`revision ${revision} expired`);
          expect(new Map(snapshot.keys.map((k) => [k, snapshot.get(k)?.spec]))).toEqual(expected);
        }
      }),
    );
  });
});
