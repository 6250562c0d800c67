import { formatKey } from '@driftline/shared/keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refOf, type KubeObject, type SimCluster } from '@driftline/fleet-sim';
import type { WatcherService } from '../services/watcher/src/service.ts';
import { WatcherHarness } from '../services/watcher/src/testing/int-harness.ts';
import { stackEndpoints } from './support/stack.ts';

// Ownership through the consumer group on the providers topic: two instances split the
// providers (no provider watched twice, none left out, every object published once); when one
// stops, the other takes its providers over and publishes only what changed meanwhile. Provider
// records whose kubeconfig is refused are never watched and are reported disconnected.

function keyOf(cluster: SimCluster, object: KubeObject): string {
  const m = object.metadata as { namespace: string; name: string };
  return formatKey({ provider: cluster.id, namespace: m.namespace, kind: String(object.kind), name: m.name });
}

describe('watcher ownership', () => {
  const harness = new WatcherHarness({ ...stackEndpoints(), providers: 8, databasesPerProvider: 40 });
  let a: WatcherService;
  let b: WatcherService;
  const ids = (): string[] => harness.fleet.clusters.map((c) => c.id).sort();

  beforeAll(async () => {
    await harness.start();
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('two instances split the providers: each watched by exactly one, every object published once', async () => {
    a = await harness.startWatcher({ WATCHER_ID: 'a' });
    b = await harness.startWatcher({ WATCHER_ID: 'b' });
    // Let the group settle on two members before there is anything to own.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await harness.publishProviders(harness.fleet.clusters.map((c) => harness.providerRecord(c.id)));
    await harness.waitFor(
      'all providers owned',
      () => [...a.watcher.providerIds(), ...b.watcher.providerIds()].sort().join() === ids().join(),
    );
    const ofA = a.watcher.providerIds();
    const ofB = b.watcher.providerIds();
    expect(ofA.filter((id) => ofB.includes(id))).toEqual([]);
    expect(ofA.length).toBeGreaterThan(0);
    expect(ofB.length).toBeGreaterThan(0);
    await harness.waitFor('every object published', () => harness.latest().size === 8 * 40);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect([...harness.countsByKey().values()].every((n) => n === 1)).toBe(true);
    const reporters = new Map(harness.health.map((h) => [h.provider, h.watcherId]));
    for (const id of ofA) expect(reporters.get(id)).toBe('a');
    for (const id of ofB) expect(reporters.get(id)).toBe('b');
  });

  it('the survivor takes over a stopped instance’s providers and publishes only what changed', async () => {
    const moved = a.watcher.providerIds();
    await harness.stopWatcher(a);
    const before = harness.observed.length;
    const changed: string[] = [];
    for (const id of moved) {
      const cluster = harness.fleet.cluster(id);
      const object = cluster.listDatabases()[0] as KubeObject;
      cluster.changeDatabase(refOf(object), { replicas: 6 });
      changed.push(keyOf(cluster, object));
    }
    await harness.waitFor('takeover', () => b.watcher.providerIds().join() === ids().join(), 60_000);
    await harness.waitFor('changes published by the survivor', () =>
      changed.every((k) => harness.latest().get(k)?.replicas === 6),
    );
    await harness.waitForTakeover('b', moved);
    expect(await harness.keysPublishedSince(before)).toEqual(changed.sort());
  });

  it('refuses provider records with exec plugins, file references or unapproved plain http', async () => {
    const [c1, c2, c3] = harness.fleet.clusters as [SimCluster, SimCluster, SimCluster];
    const healthBefore = harness.health.length;
    await harness.publishProviders([
      harness.providerRecord(c1.id, { exec: { command: '/bin/sh', args: ['-c', 'id'] } }, 2),
      harness.providerRecord(c2.id, { tokenFile: '/var/run/secrets/token' }, 2),
      { ...harness.providerRecord(c3.id, undefined, 2), allowInsecureHttp: false },
    ]);
    await harness.waitFor('refused providers no longer watched', () =>
      [c1, c2, c3].every((c) => !b.watcher.providerIds().includes(c.id)),
    );
    await harness.waitFor('refusals reported as disconnected', () =>
      [c1, c2, c3].every((c) =>
        harness.health
          .slice(healthBefore)
          .some((h) => h.provider === c.id && !h.connected && h.circuit === 'open'),
      ),
    );
    // The other providers keep being watched.
    const rest = harness.fleet.clusters.slice(3).map((c) => c.id);
    for (const id of rest) expect(b.watcher.providerIds()).toContain(id);
  });
});
