import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet, type SimCluster } from '@driftline/fleet-sim';

// The simulated fleet is faithful enough for the real kubectl, unchanged: discovery, lists (also
// paginated), get, merge patch, delete and a streaming watch, authenticated with the bearer token
// of the kubeconfig the simulator writes. kubectl sends a token only over TLS, so the cluster
// serves HTTPS with its self-signed certificate as the kubeconfig's certificate authority.
// kubectl is part of the machines this project runs on (/usr/bin/kubectl).

const run = promisify(execFile);

describe('fleet-sim and kubectl', () => {
  let fleet: Fleet;
  let cluster: SimCluster;
  let dir: string;
  let kubeconfig: string;
  const kubectl = async (...args: string[]): Promise<string> =>
    (await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 })).stdout;

  beforeAll(async () => {
    fleet = await Fleet.start({ clusterCount: 1, tls: true, bookmarkIntervalMs: 1000 });
    cluster = fleet.clusters[0] as SimCluster;
    cluster.seed({ count: 12 });
    dir = await mkdtemp(join(tmpdir(), 'fleet-kubectl-'));
    kubeconfig = join(dir, 'kubeconfig.yaml');
    await writeFile(kubeconfig, cluster.kubeconfigYaml(), { mode: 0o600 });
  });
  afterAll(async () => {
    await fleet.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('discovers the KubeDB kinds', async () => {
    const out = await kubectl('api-resources', '--api-group=kubedb.com', '-o', 'name');
    expect(out.trim().split('\n').sort()).toEqual([
      'mongodbs.kubedb.com',
      'mysqls.kubedb.com',
      'postgreses.kubedb.com',
      'redises.kubedb.com',
    ]);
  });

  it('lists across namespaces, also page by page', async () => {
    const all = JSON.parse(await kubectl('get', 'mongodbs', '-A', '-o', 'json')) as { items: unknown[] };
    const expected = cluster.listDatabases('MongoDB').length;
    expect(all.items).toHaveLength(expected);
    cluster.resetCounters();
    const paged = JSON.parse(await kubectl('get', 'mongodbs', '-A', '--chunk-size=1', '-o', 'json')) as {
      items: unknown[];
    };
    expect(paged.items).toHaveLength(expected);
    expect(cluster.counters().byVerb['list']).toBeGreaterThanOrEqual(expected);
  });

  it('gets, merge-patches and deletes one object', async () => {
    const [first] = cluster.listDatabases('MongoDB');
    const { namespace, name } = first?.metadata as { namespace: string; name: string };
    await kubectl(
      'patch',
      'mongodb',
      '-n',
      namespace,
      name,
      '--type',
      'merge',
      '-p',
      '{"spec":{"replicas":7}}',
    );
    expect(await kubectl('get', 'mongodb', '-n', namespace, name, '-o', 'jsonpath={.spec.replicas}')).toBe(
      '7',
    );
    expect(
      (cluster.getDatabase({ kind: 'MongoDB', namespace, name })?.spec as { replicas: number }).replicas,
    ).toBe(7);
    await kubectl('delete', 'mongodb', '-n', namespace, name);
    expect(cluster.getDatabase({ kind: 'MongoDB', namespace, name })).toBeUndefined();
  });

  it('streams watch events', async () => {
    const [target] = cluster.listDatabases('Postgres');
    const ref = { kind: 'Postgres', ...(target?.metadata as { namespace: string; name: string }) };
    const watch = spawn('kubectl', [
      '--kubeconfig',
      kubeconfig,
      'get',
      'postgreses',
      '-A',
      '--watch-only',
      '--output-watch-events',
      '-o',
      'jsonpath={.type} {.object.metadata.name} {.object.spec.replicas}{"\\n"}',
    ]);
    let out = '';
    watch.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      // Changes keep coming until kubectl shows one (its watch is open once it has discovered).
      const deadline = Date.now() + 20_000;
      let replicas = 2;
      while (!out.includes(`MODIFIED ${ref.name} `) && Date.now() < deadline) {
        cluster.changeDatabase(ref, { replicas: (replicas += 1) });
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      expect(out).toMatch(new RegExp(`MODIFIED ${ref.name} \\d+`));
    } finally {
      watch.kill();
    }
  });
});
