import { formatKey } from '@driftline/shared/keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refOf, type KubeObject, type SimCluster } from '@driftline/fleet-sim';
import type { WatcherService } from '../services/watcher/src/service.ts';
import { WatcherHarness } from '../services/watcher/src/testing/int-harness.ts';
import { stackEndpoints } from './support/stack.ts';

// A watcher process that dies without a goodbye (SIGKILL: no LeaveGroup, nothing flushed) loses
// its providers to the surviving instance once the group's session timeout (10 s here) expires;
// the survivor publishes what changed meanwhile, and nothing unchanged again. The spawned process
// is the real `main.ts`, so its ops server's /readyz is checked on the way.

function keyOf(cluster: SimCluster, object: KubeObject): string {
  const m = object.metadata as { namespace: string; name: string };
  return formatKey({ provider: cluster.id, namespace: m.namespace, kind: String(object.kind), name: m.name });
}

describe('watcher crash takeover', () => {
  const harness = new WatcherHarness({ ...stackEndpoints(), providers: 8, databasesPerProvider: 20 });
  let survivor: WatcherService;

  beforeAll(async () => {
    await harness.start();
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('moves a killed instance’s providers to the survivor within the session timeout', async () => {
    const { child, opsPort } = await harness.spawnWatcher({ WATCHER_ID: 'doomed' });
    survivor = await harness.startWatcher({ WATCHER_ID: 'survivor' });
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await harness.publishProviders(harness.fleet.clusters.map((c) => harness.providerRecord(c.id)));
    await harness.waitFor('every object published', () => harness.latest().size === 8 * 20);
    const owner = (): Map<string, string> => new Map(harness.health.map((h) => [h.provider, h.watcherId]));
    await harness.waitFor('both instances reporting', () => new Set(owner().values()).size === 2);
    const doomed = [...owner()].filter(([, w]) => w === 'doomed').map(([p]) => p);
    expect(doomed.length).toBeGreaterThan(0);
    const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(metrics).toContain('driftline_watcher_resyncs_total');
    expect(metrics).not.toContain(harness.keyBase64);

    child.kill('SIGKILL');
    const before = harness.observed.length;
    const changed: string[] = [];
    for (const id of doomed) {
      const cluster = harness.fleet.cluster(id);
      const object = cluster.listDatabases()[1] as KubeObject;
      cluster.changeDatabase(refOf(object), { replicas: 11 });
      changed.push(keyOf(cluster, object));
    }
    await harness.waitFor(
      'survivor owns every provider',
      () => survivor.watcher.providerIds().length === 8,
      60_000,
    );
    await harness.waitFor('changes published by the survivor', () =>
      changed.every((k) => harness.latest().get(k)?.replicas === 11),
    );
    await harness.waitForTakeover('survivor', doomed);
    expect(await harness.keysPublishedSince(before)).toEqual(changed.sort());
  });

  it('stops gracefully on SIGTERM: exits 0 and hands its providers over at once', async () => {
    const { child } = await harness.spawnWatcher({ WATCHER_ID: 'polite' });
    await harness.waitFor(
      'the new instance took a share',
      () => survivor.watcher.providerIds().length < 8,
      60_000,
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // A graceful leave rebalances at once, well before the 10 s session timeout would.
    await harness.waitFor(
      'providers back with the survivor',
      () => survivor.watcher.providerIds().length === 8,
      9000,
    );
  });
});
