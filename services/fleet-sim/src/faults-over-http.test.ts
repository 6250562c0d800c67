import { request, type IncomingMessage } from 'node:http';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectApiError, watchUntil } from './client-node-probe.ts';
import { refOf, SimCluster } from './sim-cluster.ts';

/** Fault injection seen from a real client: every fault the watcher must survive, over HTTP. */

const group = 'kubedb.com';
const version = 'v1';
let cluster: SimCluster;
let kc: KubeConfig;
let api: CustomObjectsApi;
const aborts: AbortController[] = [];

beforeAll(async () => {
  cluster = await SimCluster.start({
    id: 'provider-faults',
    maxWatchBufferedBytes: 1024,
    slowWatchGraceMs: 100,
  });
  cluster.seed({ count: 40 });
  kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfigYaml());
  api = kc.makeApiClient(CustomObjectsApi);
});

afterEach(() => {
  for (const controller of aborts.splice(0)) controller.abort();
  cluster.clearFaults();
  cluster.releaseStalled();
});

afterAll(async () => {
  await cluster.stop();
});

interface Event {
  type: string;
  object: {
    code?: number;
    reason?: string;
    metadata?: { resourceVersion?: string; annotations?: Record<string, string> };
  };
}

const watch = (
  path: string,
  params: Record<string, string | number | boolean | undefined>,
  until: (e: Event[]) => boolean,
) => watchUntil<Event>(kc, aborts, path, params, until);

const listRedises = () => api.listClusterCustomObject({ group, version, plural: 'redises' });
const tick = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

describe('faults over HTTP', () => {
  it('answers the next N requests with 500 InternalError, then recovers', async () => {
    cluster.injectFault({ type: 'error', count: 2 });
    expect((await expectApiError(listRedises())).code).toBe(500);
    expect((await expectApiError(listRedises())).code).toBe(500);
    await expect(listRedises()).resolves.toBeDefined();
    expect(cluster.counters().byStatus['500']).toBeGreaterThanOrEqual(2);
  });

  it('holds a stalled request until released', async () => {
    cluster.injectFault({ type: 'stall', count: 1, verbs: ['list'] });
    let settled = false;
    const stalled = listRedises().finally(() => {
      settled = true;
    });
    await tick();
    await expect(
      api.getNamespacedCustomObject({
        group,
        version,
        plural: 'redises',
        namespace: 'tenant-a',
        name: 'db-00003',
      }),
    ).resolves.toBeDefined();
    expect(settled).toBe(false);
    expect(cluster.releaseStalled()).toBe(1);
    await expect(stalled).resolves.toMatchObject({ kind: 'RedisList' });
  });

  it('delays LIST pages while a slow-list fault is on, and nothing else', async () => {
    cluster.injectFault({ type: 'slow-list', delayMsPerPage: 60_000 });
    let settled = false;
    const controller = new AbortController();
    const url = `${cluster.server}/apis/kubedb.com/v1/redises`;
    const slow = fetch(url, {
      headers: { authorization: `Bearer ${cluster.token}` },
      signal: controller.signal,
    })
      .catch(() => undefined)
      .finally(() => {
        settled = true;
      });
    await expect(
      api.getNamespacedCustomObject({
        group,
        version,
        plural: 'redises',
        namespace: 'tenant-a',
        name: 'db-00003',
      }),
    ).resolves.toBeDefined();
    expect(settled).toBe(false);
    controller.abort();
    await slow;
  });

  it('answers watches and continued lists from behind the current revision with 410 during a storm', async () => {
    const page = (await api.listClusterCustomObject({ group, version, plural: 'mongodbs', limit: 3 })) as {
      metadata: { continue: string; resourceVersion: string };
    };
    cluster.changeDatabase({ kind: 'MongoDB', namespace: 'tenant-a', name: 'db-00000' }, { replicas: 9 });
    cluster.injectFault({ type: 'gone' });
    const { events } = await watch(
      '/apis/kubedb.com/v1/mongodbs',
      { resourceVersion: page.metadata.resourceVersion },
      (e) => e.length > 0,
    );
    expect(events[0]).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
    expect(
      (
        await expectApiError(
          api.listClusterCustomObject({
            group,
            version,
            plural: 'mongodbs',
            limit: 3,
            _continue: page.metadata.continue,
          }),
        )
      ).code,
    ).toBe(410);
    // A fresh list still works, and so does a watch from its (current) revision.
    const fresh = (await api.listClusterCustomObject({ group, version, plural: 'mongodbs' })) as {
      metadata: { resourceVersion: string };
    };
    const current = watch(
      '/apis/kubedb.com/v1/mongodbs',
      { resourceVersion: fresh.metadata.resourceVersion },
      (e) => e.length > 0,
    );
    await tick();
    cluster.changeDatabase({ kind: 'MongoDB', namespace: 'tenant-a', name: 'db-00000' }, { replicas: 10 });
    expect((await current).events[0]?.type).toBe('MODIFIED');
  });

  it('drops a watch after N events when a drop-watch fault is on', async () => {
    cluster.injectFault({ type: 'drop-watch', afterEvents: 5, count: 1 });
    const { events, ended: end } = await watch('/apis/kubedb.com/v1/postgreses', {}, () => false);
    expect(events).toHaveLength(5);
    expect(end).toBeInstanceOf(Error);
  });

  it('ends a watch cleanly at timeoutSeconds', async () => {
    const { ended: end } = await watch(
      '/apis/kubedb.com/v1/mysqls',
      { timeoutSeconds: 1, resourceVersion: String(cluster.revision) },
      () => false,
    );
    expect(end).toBe('closed');
  });

  it('ends a streaming initial list with an initial-events-end bookmark', async () => {
    const { events } = await watch(
      '/apis/kubedb.com/v1/mysqls',
      { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true },
      (e) => e.some((x) => x.type === 'BOOKMARK'),
    );
    const added = events.filter((e) => e.type === 'ADDED');
    expect(added).toHaveLength(cluster.listDatabases('MySQL').length);
    expect(events.at(-1)?.object.metadata?.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });

  it('closes the watch of a client that stops reading', async () => {
    // Watches aborted by earlier tests close asynchronously: start from none open.
    for (let i = 0; i < 100 && cluster.counters().openWatches > 0; i += 1) await tick(10);
    const opened = cluster.counters().openWatches;
    expect(opened).toBe(0);
    const req = request(
      `${cluster.server}/apis/kubedb.com/v1/redises?watch=true&resourceVersion=${cluster.revision}`,
      {
        headers: { authorization: `Bearer ${cluster.token}` },
      },
    );
    const response = new Promise<IncomingMessage>((resolve) => req.on('response', resolve));
    req.end();
    const res = await response;
    res.pause(); // never read: the server's buffer for this watch fills up
    res.socket.pause();
    expect(cluster.counters().openWatches).toBe(opened + 1);
    for (let round = 0; round < 40 && cluster.counters().openWatches > opened; round += 1) {
      cluster.seed({ count: 200, kinds: ['Redis'], namePrefix: `flood-${round}` });
      await tick(5);
    }
    expect(cluster.counters().openWatches).toBe(opened);
    res.destroy();
  });

  it('serves malformed objects as they are', async () => {
    const [first, second] = cluster.listDatabases('Postgres').map(refOf);
    if (first === undefined || second === undefined) throw new Error('seeded Postgres objects expected');
    cluster.malform(first, 'replicas-not-number');
    cluster.malform(second, 'missing-spec');
    const get = (ref: { namespace: string; name: string }) =>
      api.getNamespacedCustomObject({
        group,
        version,
        plural: 'postgreses',
        namespace: ref.namespace,
        name: ref.name,
      });
    const one = (await get(first)) as { spec: { replicas: unknown } };
    expect(one.spec.replicas).toBe('three');
    const other = (await get(second)) as { spec?: unknown };
    expect(other.spec).toBeUndefined();
  });
});
