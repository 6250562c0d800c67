import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlServer, type ControlServer } from './control-api.ts';
import { Fleet } from './fleet.ts';

let fleet: Fleet;
let control: ControlServer;
let dir: string;

beforeAll(async () => {
  fleet = await Fleet.start({ clusterCount: 2 });
  control = await startControlServer(fleet, { port: 0, logger: pino({ level: 'silent' }) });
  dir = await mkdtemp(join(tmpdir(), 'fleet-sim-'));
});

afterAll(async () => {
  await control.close();
  await fleet.stop();
  await rm(dir, { recursive: true, force: true });
});

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${control.url}${path}`, {
    method,
    ...(body !== undefined
      ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
      : {}),
  });
  return { status: res.status, json: await res.json() };
}

async function api(
  clusterIndex: number,
  path: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const cluster = fleet.clusters[clusterIndex];
  if (cluster === undefined) throw new Error('no such cluster');
  const res = await fetch(`${cluster.server}${path}`, {
    headers: { authorization: `Bearer ${cluster.token}` },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('Fleet', () => {
  it('gives each cluster its own port, token and kubeconfig file', async () => {
    const [a, b] = fleet.clusters;
    expect(a?.id).toBe('provider-01');
    expect(b?.id).toBe('provider-02');
    expect(a?.server).not.toBe(b?.server);
    expect(a?.token).not.toBe(b?.token);
    const paths = await fleet.writeKubeconfigs(dir);
    expect(paths).toHaveLength(2);
    expect((await stat(paths[0] as string)).mode & 0o777).toBe(0o600);
    const kc = new KubeConfig();
    kc.loadFromString(await readFile(paths[1] as string, 'utf8'));
    expect(kc.getCurrentCluster()?.server).toBe(b?.server);
    expect(kc.getCurrentUser()?.token).toBe(b?.token);
  });

  it('serves discovery documents kubectl and client-node read', async () => {
    expect((await api(0, '/version')).json).toMatchObject({ major: '1' });
    expect((await api(0, '/api')).json).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await api(0, '/apis')).json as { groups: { name: string }[] };
    expect(groups.groups.map((g) => g.name)).toEqual(['kubedb.com']);
    const resources = (await api(0, '/apis/kubedb.com/v1')).json as {
      resources: { name: string; namespaced: boolean; verbs: string[] }[];
    };
    const names = resources.resources.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining(['mongodbs', 'postgreses', 'mysqls', 'redises', 'mongodbs/status']),
    );
    expect(resources.resources.find((r) => r.name === 'redises')?.verbs).toContain('watch');
    fleet.clusters[0]?.seed({ count: 4, namespaces: ['ns-one'] });
    const namespaces = (await api(0, '/api/v1/namespaces')).json as {
      items: { metadata: { name: string } }[];
    };
    expect(namespaces.items.map((n) => n.metadata.name)).toEqual(['default', 'ns-one']);
    expect((await fetch(`${fleet.clusters[0]?.server ?? ''}/apis`)).status).toBe(401);
  });
});

describe('control API', () => {
  it('lists clusters and adds one', async () => {
    const added = await call('POST', '/clusters', { count: 1 });
    expect(added.status).toBe(200);
    expect(added.json).toEqual([expect.objectContaining({ id: 'provider-03' })]);
    const listed = (await call('GET', '/clusters')).json as { id: string }[];
    expect(listed.map((c) => c.id)).toEqual(['provider-01', 'provider-02', 'provider-03']);
  });

  it('seeds, changes, sets status, converges, malforms and deletes databases', async () => {
    expect(
      (
        await call('POST', '/clusters/provider-02/seed', {
          count: 8,
          kinds: ['Redis'],
          namespaces: ['cache'],
        })
      ).json,
    ).toEqual({ created: 8 });
    const path = '/clusters/provider-02/databases/Redis/cache/db-00000';
    const changed = (await call('PATCH', path, { replicas: 6, storage: '50Gi' })).json as {
      metadata: { generation: number };
      spec: { replicas: number };
      status: { observedGeneration: number };
    };
    expect(changed.spec.replicas).toBe(6);
    expect(changed.metadata.generation).toBe(2);
    expect(changed.status.observedGeneration).toBe(1);
    const status = (await call('PUT', `${path}/status`, { phase: 'Updating' })).json as {
      status: { phase: string };
    };
    expect(status.status.phase).toBe('Updating');
    expect((await call('POST', '/clusters/provider-02/converge')).json).toEqual({ changed: 1 });
    const fetched = (await call('GET', path)).json as {
      status: { phase: string; observedGeneration: number };
    };
    expect(fetched.status).toEqual({ phase: 'Ready', observedGeneration: 2 });
    const malformed = (await call('POST', `${path}/malform`, { defect: 'unparsable-storage' })).json as {
      spec: unknown;
    };
    expect(JSON.stringify(malformed.spec)).toContain('"lots"');
    expect((await call('DELETE', path)).json).toEqual({ deleted: true });
    expect((await call('GET', path)).status).toBe(404);
  });

  it('injects drift into N databases', async () => {
    const drifted = (await call('POST', '/clusters/provider-02/drift', { count: 3 })).json as {
      name: string;
    }[];
    expect(drifted).toHaveLength(3);
    expect(new Set(drifted.map((d) => d.name)).size).toBe(3);
  });

  it('injects, lists and clears faults, and reports counters', async () => {
    const injected = (
      await call('POST', '/clusters/provider-01/faults', { type: 'throttle', retryAfterSeconds: 2, count: 1 })
    ).json as { id: number };
    expect((await call('GET', '/clusters/provider-01/faults')).json).toEqual([
      expect.objectContaining({ id: injected.id }),
    ]);
    const throttled = await api(0, '/apis/kubedb.com/v1/mongodbs');
    expect(throttled.status).toBe(429);
    expect(throttled.json).toMatchObject({
      kind: 'Status',
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 2 },
    });
    await call('POST', '/clusters/provider-01/faults', { type: 'error' });
    expect((await call('DELETE', '/clusters/provider-01/faults')).status).toBe(200);
    expect((await api(0, '/apis/kubedb.com/v1/mongodbs')).status).toBe(200);
    const counters = (await call('GET', '/clusters/provider-01/counters')).json as {
      byVerb: { list: number };
      byStatus: Record<string, number>;
    };
    expect(counters.byVerb.list).toBeGreaterThanOrEqual(2);
    expect(counters.byStatus['429']).toBe(1);
    await call('DELETE', '/clusters/provider-01/counters');
    expect(((await call('GET', '/clusters/provider-01/counters')).json as { total: number }).total).toBe(0);
  });

  it('compacts history so an old resourceVersion gets 410', async () => {
    const before = fleet.cluster('provider-01').revision;
    fleet.cluster('provider-01').seed({ count: 1 });
    expect((await call('POST', '/clusters/provider-01/compact')).status).toBe(200);
    const list = await api(
      0,
      `/apis/kubedb.com/v1/mongodbs?resourceVersion=${before}&resourceVersionMatch=Exact`,
    );
    expect(list.status).toBe(410);
  });

  it('answers 400 for bad bodies and 404 for unknown clusters, objects and routes', async () => {
    expect((await call('POST', '/clusters/provider-01/faults', { type: 'meteor' })).status).toBe(400);
    expect((await call('POST', '/clusters/provider-01/seed', { count: -1 })).status).toBe(400);
    expect((await call('GET', '/clusters/nope/counters')).status).toBe(404);
    expect((await call('GET', '/clusters/provider-01/databases/MongoDB/x/y')).status).toBe(404);
    expect((await call('PATCH', '/clusters/provider-01/databases/Elastic/x/y', { replicas: 1 })).status).toBe(
      404,
    );
    expect((await call('GET', '/nothing')).status).toBe(404);
  });
});
