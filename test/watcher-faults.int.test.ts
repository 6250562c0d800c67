import { formatKey } from '@driftline/shared/keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refOf, type FaultSpec, type KubeObject, type SimCluster } from '@driftline/fleet-sim';
import type { WatcherEvent } from '../services/watcher/src/events.ts';
import { WatcherHarness } from '../services/watcher/src/testing/int-harness.ts';
import { stackEndpoints } from './support/stack.ts';

// Each fault the simulated API server can inject, against a running watcher: while the fault is
// active, distinct objects change; once it is cleared, every change reaches observed.v1 exactly
// once (nothing lost, nothing duplicated, nothing unchanged re-published) within the recovery
// bound, and the other provider's events keep flowing meanwhile. The backoff cap is lowered to
// 4 s for the test, so the bound is: the longest backoff (cap × (1 + jitter) = 8 s) + one request
// timeout (2 s) + one stall-detection period (3 s) — a reflector is at most that far from its
// next successful attempt when the fault clears.

const backoffMaxMs = 4000;
const recoveryBoundMs = 2 * backoffMaxMs + 2000 + 3000;

function keyOf(cluster: SimCluster, object: KubeObject): string {
  const m = object.metadata as { namespace: string; name: string };
  return formatKey({ provider: cluster.id, namespace: m.namespace, kind: String(object.kind), name: m.name });
}

describe('watcher under injected faults', () => {
  const harness = new WatcherHarness({
    ...stackEndpoints(),
    providers: 2,
    databasesPerProvider: 400,
    bookmarkIntervalMs: 500,
  });
  let cluster: SimCluster;
  let other: SimCluster;
  let cursor = 0;

  beforeAll(async () => {
    await harness.start();
    cluster = harness.fleet.clusters[0] as SimCluster;
    other = harness.fleet.clusters[1] as SimCluster;
    await harness.publishProviders(harness.fleet.clusters.map((c) => harness.providerRecord(c.id)));
    await harness.startWatcher({
      WATCHER_REQUEST_TIMEOUT_MS: '2000',
      WATCHER_WATCH_IDLE_TIMEOUT_MS: '3000',
      WATCHER_CIRCUIT_HALF_OPEN_AFTER_MS: '2000',
      WATCHER_LIST_PAGE_SIZE_COUNT: '100',
      WATCHER_BACKOFF_MAX_MS: String(backoffMaxMs),
    });
    await harness.waitFor('initial sync', () => harness.latest().size === 800);
  });
  afterAll(async () => {
    await harness.stop();
  });

  /**
   * During `fault` (plus `during` extra actions), change `count` fresh objects of the faulty
   * provider and one of the healthy provider; then clear and check delivery.
   */
  async function exercise(
    fault: FaultSpec,
    evidence: WatcherEvent['type'],
    during: () => void = () => cluster.dropWatches(),
    holdMs = 1500,
    count = 6,
  ) {
    const before = harness.observed.length;
    const eventsBefore = harness.events.length;
    const objects = cluster.listDatabases().slice(cursor, cursor + count);
    cursor += count;
    const healthy = other.listDatabases()[cursor] as KubeObject;
    cluster.injectFault(fault);
    during();
    for (const o of objects) cluster.changeDatabase(refOf(o), { replicas: 7 });
    other.changeDatabase(refOf(healthy), { replicas: 8 });
    await harness.waitFor('the healthy provider, during the fault', () =>
      harness.observed.slice(before).some((m) => m.key === keyOf(other, healthy)),
    );
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    cluster.clearFaults();
    cluster.releaseStalled();
    const expected = [...objects.map((o) => keyOf(cluster, o)), keyOf(other, healthy)].sort();
    await harness.waitFor(
      'every change after the fault',
      () => new Set(harness.observed.slice(before).map((m) => m.key)).size >= expected.length,
      recoveryBoundMs,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const fresh = harness.observed.slice(before);
    expect(fresh.map((m) => m.key).sort()).toEqual(expected);
    for (const o of objects) expect(harness.latest().get(keyOf(cluster, o))?.replicas).toBe(7);
    // The fault did hit the watcher (it is not a test of a fault that never fired).
    const seen = harness.events
      .slice(eventsBefore)
      .filter((e) => 'provider' in e && e.provider === cluster.id);
    if (!seen.some((e) => e.type === evidence))
      console.log(JSON.stringify(seen.map((e) => [e.type, 'reason' in e ? e.reason : ''])));
    expect(seen.map((e) => e.type)).toContain(evidence);
  }

  it('dropped connections mid-stream', async () => {
    await exercise(
      { type: 'drop-watch', afterEvents: 2, count: 3, verbs: ['watch'] },
      'watcher.watch.closed',
    );
  });

  it('429 with Retry-After: the watcher waits as long as the server asked', async () => {
    // Longer than the longest backoff (cap × 2 = 8 s), so only an honoured Retry-After explains it.
    const retryAfterSeconds = 9;
    const eventsBefore = harness.events.length;
    await exercise({ type: 'throttle', retryAfterSeconds, verbs: ['watch', 'list'] }, 'watcher.backoff');
    const throttled = harness.events
      .slice(eventsBefore)
      .filter(
        (e) => e.type === 'watcher.backoff' && e.provider === cluster.id && e.code === 'K8S_RATE_LIMITED',
      );
    expect(throttled.length).toBeGreaterThan(0);
    for (const e of throttled)
      expect(e.type === 'watcher.backoff' && e.delayMs).toBeGreaterThanOrEqual(retryAfterSeconds * 1000);
  });

  it('500s', async () => {
    await exercise({ type: 'error', statusCode: 500, verbs: ['watch', 'list'] }, 'watcher.backoff');
  });

  it('responses that stall', async () => {
    // Held past the 2 s request timeout, so the watcher gives up on the stalled requests.
    await exercise(
      { type: 'stall', verbs: ['watch', 'list'] },
      'watcher.backoff',
      () => cluster.dropWatches(),
      4500,
    );
  });

  it('a 410 storm', async () => {
    await exercise({ type: 'gone', verbs: ['watch', 'list'] }, 'watcher.gone', () => {
      cluster.dropWatches();
      cluster.compactHistory();
    });
  });

  it('slow LISTs during a relist', async () => {
    // Every re-watch gets 410 while the fault lasts, so every kind relists through slow pages.
    await exercise({ type: 'slow-list', delayMsPerPage: 300, verbs: ['list'] }, 'watcher.list', () => {
      cluster.injectFault({ type: 'gone', verbs: ['watch'] });
      cluster.dropWatches();
    });
  });

  it('a malformed object is published flagged invalid and does not stall the provider', async () => {
    const before = harness.observed.length;
    const [bad, next] = cluster.listDatabases().slice(cursor, cursor + 2) as [KubeObject, KubeObject];
    cursor += 2;
    cluster.malform(refOf(bad), 'replicas-not-number');
    cluster.changeDatabase(refOf(next), { replicas: 5 });
    await harness.waitFor('both records', () => harness.observed.length - before >= 2);
    const latest = harness.latest();
    expect(latest.get(keyOf(cluster, bad))).toMatchObject({ valid: false });
    expect(latest.get(keyOf(cluster, bad))?.invalidReason).toContain('spec.replicas');
    expect(latest.get(keyOf(cluster, next))).toMatchObject({ valid: true, replicas: 5 });
  });
});
