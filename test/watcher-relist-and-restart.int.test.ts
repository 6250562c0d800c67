import { formatKey } from '@driftline/shared/keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refOf, type SimCluster } from '@driftline/fleet-sim';
import type { WatcherService } from '../services/watcher/src/service.ts';
import { WatcherHarness } from '../services/watcher/src/testing/int-harness.ts';
import { stackEndpoints } from './support/stack.ts';

// 410 relist: while a provider's watch is down, objects are deleted, changed and created and the
// API server's history is compacted; the watcher's re-watch gets 410 Gone, it relists, and
// publishes exactly the tombstones of the vanished keys and the changed/new objects — nothing
// for the unchanged ones. Restart: a new instance reads observed.v1 back and publishes only
// what changed while no watcher was running.

function keyOf(cluster: SimCluster, object: { kind?: unknown; metadata?: unknown }): string {
  const m = object.metadata as { namespace: string; name: string };
  return formatKey({ provider: cluster.id, namespace: m.namespace, kind: String(object.kind), name: m.name });
}

function fleetTable(harness: WatcherHarness): Map<string, number> {
  const table = new Map<string, number>();
  for (const cluster of harness.fleet.clusters) {
    for (const o of cluster.listDatabases())
      table.set(keyOf(cluster, o), Number((o.spec as { replicas: number }).replicas));
  }
  return table;
}

describe('watcher relist on 410 and restart', () => {
  const harness = new WatcherHarness({ ...stackEndpoints(), providers: 2, databasesPerProvider: 200 });
  let watcher: WatcherService;

  beforeAll(async () => {
    await harness.start();
    await harness.publishProviders(harness.fleet.clusters.map((c) => harness.providerRecord(c.id)));
    watcher = await harness.startWatcher();
    await harness.waitFor('initial sync', () => harness.latest().size === 400);
    await harness.waitFor('resync reported', () =>
      harness.fleet.clusters.every((c) =>
        harness.health.some((h) => h.provider === c.id && h.lastResyncAtMs !== null),
      ),
    );
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('relists after 410 Gone: tombstones for what vanished in the gap, updates only for what changed', async () => {
    const cluster = harness.fleet.clusters[0] as SimCluster;
    const before = harness.observed.length;
    const gonesBefore = harness.events.filter(
      (e) => e.type === 'watcher.gone' && e.provider === cluster.id,
    ).length;
    // Take the watch down: every reopen fails while the fault is active.
    const fault = cluster.injectFault({ type: 'error', statusCode: 503, verbs: ['watch', 'list'] });
    cluster.dropWatches();
    const objects = cluster.listDatabases();
    const deleted = objects.slice(0, 5);
    const changed = objects.slice(5, 10);
    for (const o of deleted) cluster.deleteDatabase(refOf(o));
    for (const o of changed) cluster.changeDatabase(refOf(o), { replicas: 9 });
    const created = cluster.seed({ count: 3, namePrefix: 'late' });
    cluster.compactHistory();
    cluster.clearFaults(fault);

    const expectedNew = new Set([
      ...deleted.map((o) => keyOf(cluster, o)),
      ...changed.map((o) => keyOf(cluster, o)),
      ...created.map((r) =>
        formatKey({ provider: cluster.id, namespace: r.namespace, kind: r.kind, name: r.name }),
      ),
    ]);
    await harness.waitFor('the gap closed', () => harness.observed.length - before >= expectedNew.size);
    // Give a duplicate or a needless republish time to show up before asserting there is none.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const fresh = harness.observed.slice(before);
    expect(fresh.map((m) => m.key).sort()).toEqual([...expectedNew].sort());
    for (const o of deleted) expect(harness.latest().get(keyOf(cluster, o))).toBeNull();
    for (const o of changed) expect(harness.latest().get(keyOf(cluster, o))?.replicas).toBe(9);
    const gones = harness.events.filter((e) => e.type === 'watcher.gone' && e.provider === cluster.id).length;
    expect(gones).toBeGreaterThan(gonesBefore);
    const table = harness.latest();
    const live = new Map([...table].filter(([, v]) => v !== null).map(([k, v]) => [k, v?.replicas]));
    expect(live).toEqual(fleetTable(harness));
  });

  it('restarts without re-publishing unchanged objects', async () => {
    await harness.stopWatcher(watcher);
    const cluster = harness.fleet.clusters[1] as SimCluster;
    const objects = cluster.listDatabases();
    const changed = objects.slice(0, 3);
    const deleted = objects.slice(3, 5);
    for (const o of changed) cluster.changeDatabase(refOf(o), { version: '8.0.0' });
    for (const o of deleted) cluster.deleteDatabase(refOf(o));
    const before = harness.observed.length;
    const healthBefore = harness.health.length;

    watcher = await harness.startWatcher();
    await harness.waitFor('both providers resynced after restart', () =>
      harness.fleet.clusters.every((c) =>
        harness.health.slice(healthBefore).some((h) => h.provider === c.id && h.lastResyncAtMs !== null),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const fresh = harness.observed.slice(before);
    expect(fresh.map((m) => m.key).sort()).toEqual(
      [...changed, ...deleted].map((o) => keyOf(cluster, o)).sort(),
    );
    for (const o of changed) expect(harness.latest().get(keyOf(cluster, o))?.version).toBe('8.0.0');
    for (const o of deleted) expect(harness.latest().get(keyOf(cluster, o))).toBeNull();
  });
});
