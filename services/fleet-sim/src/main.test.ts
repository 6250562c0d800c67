import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';

/** main.ts as a process: starts, writes kubeconfigs and fleet.json, serves, and stops on SIGTERM. */

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('fleet-sim main', () => {
  it('runs standalone from its environment and stops cleanly on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleet-sim-main-'));
    dirs.push(dir);
    const child = spawn(process.execPath, [join(import.meta.dirname, 'main.ts')], {
      env: {
        ...process.env,
        FLEET_CLUSTER_COUNT: '2',
        FLEET_DATABASES_PER_CLUSTER_COUNT: '12',
        FLEET_CONTROL_PORT: '0',
        FLEET_KUBECONFIG_DIR: dir,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('"fleet-sim ready"')) resolve();
        });
        child.once('exit', () => reject(new Error(`main exited early: ${output}`)));
      });
      const manifest = JSON.parse(await readFile(join(dir, 'fleet.json'), 'utf8')) as {
        controlUrl: string;
        clusters: { id: string; kubeconfig: string }[];
      };
      expect(manifest.clusters.map((c) => c.id)).toEqual(['provider-01', 'provider-02']);
      const kc = new KubeConfig();
      kc.loadFromString(await readFile(manifest.clusters[1]?.kubeconfig ?? '', 'utf8'));
      const list = (await kc.makeApiClient(CustomObjectsApi).listClusterCustomObject({
        group: 'kubedb.com',
        version: 'v1',
        plural: 'mongodbs',
      })) as { items: unknown[] };
      expect(list.items).toHaveLength(3);
      expect(((await (await fetch(`${manifest.controlUrl}/clusters`)).json()) as unknown[]).length).toBe(2);
      // No secret reaches the log: the tokens are in the kubeconfig files only.
      const token = kc.getCurrentUser()?.token ?? '';
      expect(token.length).toBeGreaterThan(10);
      expect(output).not.toContain(token);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
