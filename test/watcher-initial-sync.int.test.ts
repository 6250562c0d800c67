import { formatKey } from '@driftline/shared/keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WatcherHarness } from '../services/watcher/src/testing/int-harness.ts';
import { stackEndpoints } from './support/stack.ts';

// Initial sync: a watcher that owns four providers (through the consumer group on the providers
// topic) publishes every KubeDB object of every provider to observed.v1 exactly once, with the
// fields of the object, and then reports each provider healthy with a completed resync.

const providers = 4;
const perProvider = 750;

describe('watcher initial sync', () => {
  const harness = new WatcherHarness({ ...stackEndpoints(), providers, databasesPerProvider: perProvider });

  beforeAll(async () => {
    await harness.start();
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('publishes every object of every provider exactly once', async () => {
    await harness.publishProviders(harness.fleet.clusters.map((c) => harness.providerRecord(c.id)));
    await harness.startWatcher();
    const expected = new Map<string, number>();
    for (const cluster of harness.fleet.clusters) {
      for (const object of cluster.listDatabases()) {
        const m = object.metadata as { namespace: string; name: string };
        const key = formatKey({
          provider: cluster.id,
          namespace: m.namespace,
          kind: String(object.kind),
          name: m.name,
        });
        expected.set(key, Number((object.spec as { replicas: number }).replicas));
      }
    }
    expect(expected.size).toBe(providers * perProvider);
    await harness.waitFor('every object on observed.v1', () => harness.latest().size >= expected.size);
    await harness.waitFor('every provider resynced', () =>
      harness.fleet.clusters.every((c) =>
        harness.health.some((h) => h.provider === c.id && h.lastResyncAtMs !== null),
      ),
    );
    const latest = harness.latest();
    expect([...latest.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, replicas] of expected) {
      expect(latest.get(key)).toMatchObject({ valid: true, replicas });
    }
    const duplicates = [...harness.countsByKey()].filter(([, n]) => n !== 1);
    expect(duplicates).toEqual([]);
    // Health follows within one health tick: each provider ends up reported connected.
    await harness.waitFor('every provider reported connected', () =>
      harness.fleet.clusters.every((c) => {
        const last = harness.health.filter((h) => h.provider === c.id).at(-1);
        return last?.connected === true && last.circuit === 'closed';
      }),
    );
  });
});
