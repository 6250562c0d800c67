import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHANGED_AT_ANNOTATION } from './store.ts';
import { expectApiError, watchUntil as watchEvents } from './client-node-probe.ts';
import { refOf, SimCluster } from './sim-cluster.ts';

/**
 * These tests drive a running simulated cluster with the real `@kubernetes/client-node` v2, the
 * client the watcher uses, so "client-node works against the simulator unchanged" is what they prove.
 */

interface WatchEvent {
  type: string;
  object: { metadata?: { name?: string; resourceVersion?: string }; code?: number; reason?: string };
}

const group = 'kubedb.com';
const version = 'v1';

let cluster: SimCluster;
let kc: KubeConfig;
let api: CustomObjectsApi;
const aborts: AbortController[] = [];

beforeAll(async () => {
  cluster = await SimCluster.start({ id: 'provider-test', bookmarkIntervalMs: 50, historyWindow: 50 });
  kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfigYaml());
  api = kc.makeApiClient(CustomObjectsApi);
});

afterEach(() => {
  for (const controller of aborts.splice(0)) controller.abort();
  cluster.clearFaults();
});

afterAll(async () => {
  await cluster.stop();
});

const watchUntil = (
  path: string,
  params: Record<string, string | number | boolean | undefined>,
  until: (events: WatchEvent[]) => boolean,
) => watchEvents<WatchEvent>(kc, aborts, path, params, until);

describe('SimCluster with @kubernetes/client-node', () => {
  it('lists every object across pages, with a list resourceVersion', async () => {
    cluster.seed({ count: 23, kinds: ['MongoDB'] });
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    let listRv: string | undefined;
    do {
      const page = (await api.listClusterCustomObject({
        group,
        version,
        plural: 'mongodbs',
        limit: 10,
        _continue: token,
      })) as {
        metadata: { continue?: string; resourceVersion: string };
        items: {
          metadata: { name: string; annotations: Record<string, string> };
          spec: { replicas: number };
        }[];
      };
      pages += 1;
      listRv ??= page.metadata.resourceVersion;
      names.push(...page.items.map((item) => item.metadata.name));
      expect(page.items.every((item) => item.metadata.annotations[CHANGED_AT_ANNOTATION] !== undefined)).toBe(
        true,
      );
      token = page.metadata.continue || undefined;
    } while (token);
    expect(pages).toBe(3);
    expect(names).toHaveLength(23);
    expect(new Set(names).size).toBe(23);
    expect(Number(listRv)).toBe(cluster.revision);
  });

  it('serves GET, create, merge patch, optimistic-concurrency update and delete', async () => {
    const created = (await api.createNamespacedCustomObject({
      group,
      version,
      namespace: 'team-x',
      plural: 'postgreses',
      body: {
        apiVersion: 'kubedb.com/v1',
        kind: 'Postgres',
        metadata: { name: 'orders' },
        spec: { replicas: 1 },
      },
    })) as { metadata: { resourceVersion: string; generation: number } };
    expect(created.metadata.generation).toBe(1);
    const fetched = (await api.getNamespacedCustomObject({
      group,
      version,
      namespace: 'team-x',
      plural: 'postgreses',
      name: 'orders',
    })) as {
      metadata: { resourceVersion: string };
    };
    expect(fetched.metadata.resourceVersion).toBe(created.metadata.resourceVersion);

    const patched = (await api.patchNamespacedCustomObject(
      {
        group,
        version,
        namespace: 'team-x',
        plural: 'postgreses',
        name: 'orders',
        body: { spec: { replicas: 3 } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as { metadata: { generation: number }; spec: { replicas: number } };
    expect(patched.spec.replicas).toBe(3);
    expect(patched.metadata.generation).toBe(2);
    const jsonPatched = (await api.patchNamespacedCustomObject({
      group,
      version,
      namespace: 'team-x',
      plural: 'postgreses',
      name: 'orders',
      body: [{ op: 'replace', path: '/spec/replicas', value: 4 }],
    })) as { metadata: { generation: number }; spec: { replicas: number } };
    expect(jsonPatched.spec.replicas).toBe(4);
    expect(jsonPatched.metadata.generation).toBe(3);

    const stale = await expectApiError(
      api.replaceNamespacedCustomObject({
        group,
        version,
        namespace: 'team-x',
        plural: 'postgreses',
        name: 'orders',
        body: {
          apiVersion: 'kubedb.com/v1',
          kind: 'Postgres',
          metadata: { name: 'orders', resourceVersion: created.metadata.resourceVersion },
          spec: {},
        },
      }),
    );
    expect(stale.code).toBe(409);

    await api.deleteNamespacedCustomObject({
      group,
      version,
      namespace: 'team-x',
      plural: 'postgreses',
      name: 'orders',
    });
    const gone = await expectApiError(
      api.getNamespacedCustomObject({
        group,
        version,
        namespace: 'team-x',
        plural: 'postgreses',
        name: 'orders',
      }),
    );
    expect(gone.code).toBe(404);
  });

  it('streams ADDED, MODIFIED, DELETED and BOOKMARK events from a resourceVersion', async () => {
    const from = String(cluster.revision);
    const ref = { kind: 'Redis', namespace: 'team-w', name: 'cache' };
    const done = watchUntil(
      '/apis/kubedb.com/v1/redises',
      { resourceVersion: from, allowWatchBookmarks: true },
      (events) => events.some((e) => e.type === 'DELETED') && events.some((e) => e.type === 'BOOKMARK'),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    cluster.createDatabase(ref);
    cluster.changeDatabase(ref, { replicas: 7 });
    cluster.deleteDatabase(ref);
    const { events } = await done;
    const changes = events.filter((e) => e.type !== 'BOOKMARK');
    expect(changes.map((e) => [e.type, e.object.metadata?.name])).toEqual([
      ['ADDED', 'cache'],
      ['MODIFIED', 'cache'],
      ['DELETED', 'cache'],
    ]);
    const rvs = changes.map((e) => Number(e.object.metadata?.resourceVersion));
    expect(rvs[0]).toBeGreaterThan(Number(from));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    const bookmark = events.find((e) => e.type === 'BOOKMARK');
    expect(Object.keys(bookmark?.object ?? {}).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
  });

  it('replays history to a watch that resumes from an older resourceVersion', async () => {
    const ref = { kind: 'MySQL', namespace: 'team-v', name: 'ledger' };
    const from = String(cluster.revision);
    cluster.createDatabase(ref);
    cluster.changeDatabase(ref, { version: '8.4.0' });
    const { events } = await watchUntil(
      '/apis/kubedb.com/v1/namespaces/team-v/mysqls',
      { resourceVersion: from },
      (e) => e.length >= 2,
    );
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
  });

  it('answers a watch from an expired resourceVersion with an ERROR event carrying 410 Expired', async () => {
    const old = String(cluster.revision);
    cluster.seed({ count: 60, kinds: ['MongoDB'] }); // more than the 50-event window
    const { events } = await watchUntil(
      '/apis/kubedb.com/v1/mongodbs',
      { resourceVersion: old },
      (e) => e.length >= 1,
    );
    expect(events[0]).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
  });

  it('answers 410 to a paginated list whose snapshot was compacted', async () => {
    const first = (await api.listClusterCustomObject({ group, version, plural: 'mongodbs', limit: 5 })) as {
      metadata: { continue: string };
    };
    const [someMongo] = cluster.listDatabases('MongoDB');
    if (someMongo === undefined) throw new Error('seeded MongoDBs expected');
    cluster.changeDatabase(refOf(someMongo), { replicas: 9 });
    cluster.compactHistory();
    const expired = await expectApiError(
      api.listClusterCustomObject({
        group,
        version,
        plural: 'mongodbs',
        limit: 5,
        _continue: first.metadata.continue,
      }),
    );
    expect(expired.code).toBe(410);
  });

  it('surfaces a 429 fault with Retry-After, then serves again', async () => {
    cluster.injectFault({ type: 'throttle', count: 1, retryAfterSeconds: 7 });
    const throttled = await expectApiError(
      api.listClusterCustomObject({ group, version, plural: 'redises' }),
    );
    expect(throttled.code).toBe(429);
    expect(throttled.headers['retry-after']).toBe('7');
    await expect(api.listClusterCustomObject({ group, version, plural: 'redises' })).resolves.toBeDefined();
  });

  it('ends the watch when the connection is dropped mid-stream', async () => {
    cluster.seed({ count: 3, kinds: ['Postgres'] });
    const ended = watchUntil('/apis/kubedb.com/v1/postgreses', {}, () => false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(cluster.counters().openWatches).toBeGreaterThan(0);
    expect(cluster.dropWatches()).toBeGreaterThan(0);
    const { events, ended: reason } = await ended;
    expect(events.filter((e) => e.type === 'ADDED').length).toBeGreaterThanOrEqual(3);
    // A destroyed socket mid-stream surfaces as an error, unlike a clean server-side end.
    expect(reason).toBeInstanceOf(Error);
  });

  it('rejects requests without the bearer token', async () => {
    const anonymous = new KubeConfig();
    anonymous.loadFromOptions({
      clusters: [{ name: 'c', server: cluster.server, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'wrong' }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    const error = await expectApiError(
      anonymous
        .makeApiClient(CustomObjectsApi)
        .listClusterCustomObject({ group, version, plural: 'mongodbs' }),
    );
    expect(error.code).toBe(401);
  });
});
