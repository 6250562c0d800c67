import { describe, expect, it } from 'vitest';
import { manualClock } from './clock.ts';
import { kindByPlural, type KubeDbKind } from './kinds.ts';
import { listObjects, type KubeList, type ListQuery } from './list.ts';
import { parseSelectors } from './selector.ts';
import { ClusterStore } from './store.ts';

const mongodbs = kindByPlural('mongodbs') as KubeDbKind;

function seeded(count: number, historyWindow = 1000): ClusterStore {
  const store = new ClusterStore({ historyWindow, clock: manualClock() });
  for (let i = 0; i < count; i += 1) {
    const namespace = i % 2 === 0 ? 'even' : 'odd';
    store.create('mongodbs', {
      apiVersion: 'kubedb.com/v1',
      kind: 'MongoDB',
      metadata: { name: `db-${String(i).padStart(3, '0')}`, namespace, labels: { parity: namespace } },
      spec: { replicas: 1 },
    });
  }
  return store;
}

function page(store: ClusterStore, query: ListQuery): KubeList {
  const result = listObjects(store, mongodbs, query);
  if (!result.ok) throw new Error(result.status.message);
  return result.list;
}

function listAll(store: ClusterStore, query: ListQuery, between?: () => void): KubeList['items'] {
  const items: KubeList['items'] = [];
  let token: string | undefined;
  do {
    const list = page(store, { ...query, continue: token });
    items.push(...list.items);
    token = list.metadata.continue;
    between?.();
  } while (token);
  return items;
}

describe('listObjects', () => {
  it('pages through every object exactly once in key order', () => {
    const store = seeded(25);
    const first = page(store, { limit: 10 });
    expect(first.items).toHaveLength(10);
    expect(first.metadata.remainingItemCount).toBe(15);
    expect(first.metadata.resourceVersion).toBe('25');
    const names = listAll(store, { limit: 10 }).map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(names).toHaveLength(25);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(25);
  });

  it('serves later pages from the first page snapshot even when objects change in between', () => {
    const store = seeded(10);
    let n = 0;
    const items = listAll(store, { limit: 3 }, () => {
      store.delete('mongodbs', 'odd', `db-00${2 * n + 1}`);
      n += 1;
    });
    expect(items).toHaveLength(10);
    expect(items.every((o) => Number(o.metadata.resourceVersion) <= 10)).toBe(true);
    expect(store.count('mongodbs')).toBeLessThan(10);
  });

  it('answers 410 Expired for a continue token whose snapshot left the window', () => {
    const store = seeded(10, 5);
    const first = page(store, { limit: 3 });
    for (let i = 0; i < 6; i += 1) store.delete('mongodbs', i % 2 === 0 ? 'even' : 'odd', `db-00${i}`);
    const next = listObjects(store, mongodbs, { limit: 3, continue: first.metadata.continue });
    expect(next.ok).toBe(false);
    if (!next.ok) expect(next.status).toMatchObject({ code: 410, reason: 'Expired' });
  });

  it('filters by namespace and selector', () => {
    const store = seeded(10);
    expect(listAll(store, { namespace: 'even', limit: 2 }).map((o) => o.metadata.name)).toEqual([
      'db-000',
      'db-002',
      'db-004',
      'db-006',
      'db-008',
    ]);
    const selector = parseSelectors('parity=odd', undefined);
    if (!selector.ok) throw new Error(selector.message);
    const list = page(store, { selector: selector.matches, limit: 2 });
    expect(list.items.map((o) => o.metadata.namespace)).toEqual(['odd', 'odd']);
    expect(list.metadata.remainingItemCount).toBeUndefined();
  });

  it('honours resourceVersion semantics', () => {
    const store = seeded(4);
    expect(page(store, { resourceVersion: '2', resourceVersionMatch: 'Exact' }).items).toHaveLength(2);
    expect(page(store, { resourceVersion: '2' }).items).toHaveLength(4);
    const future = listObjects(store, mongodbs, { resourceVersion: '99' });
    expect(future.ok).toBe(false);
    const storm = listObjects(store, mongodbs, {
      resourceVersion: '2',
      resourceVersionMatch: 'Exact',
      forceGone: true,
    });
    expect(!storm.ok && storm.status.code).toBe(410);
  });
});
