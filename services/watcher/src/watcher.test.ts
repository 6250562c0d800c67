import type { ObservedDatabase } from '@driftline/schemas';
import { createLogger } from '@driftline/shared/logging';
import { afterEach, describe, expect, it } from 'vitest';
import { convert } from './converter.ts';
import { validateKubeconfig } from './kubeconfig.ts';
import type { ObservedChange } from './provider-supervisor.ts';
import { FakeClock, flush } from './testing/fake-clock.ts';
import { FakeKube } from './testing/fake-kube.ts';
import { Watcher, type ProviderConfig } from './watcher.ts';

const logger = createLogger({ service: 'watcher-test', level: 'silent' });
const kubeconfig = validateKubeconfig(
  {
    clusters: [{ name: 'c', cluster: { server: 'https://x' } }],
    users: [{ name: 'u', user: { token: 't' } }],
  },
  { allowInsecureHttp: false },
);

function config(id: string, revision = '1'): ProviderConfig {
  return { id, kinds: ['MongoDB'], namespaces: [], kubeconfig, revision };
}

const db = (name: string) => ({ metadata: { name, namespace: 'ns' }, spec: { version: '7', replicas: 1 } });

const watchers: Watcher[] = [];
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.stop()));
});

function setup(kubes: Map<string, FakeKube>, seed: Map<string, ObservedDatabase[]> = new Map()) {
  const published: ObservedChange[] = [];
  const seedReads: string[][] = [];
  const watcher = new Watcher({
    watcherId: 'w',
    clock: new FakeClock(),
    logger,
    observed: { publish: async (c) => void published.push(...c) },
    health: { publish: async () => undefined },
    connect: (c) => {
      const kube = kubes.get(c.id);
      if (kube === undefined) throw new Error('no client');
      return kube;
    },
    readSeed: async (ids) => {
      seedReads.push([...ids]);
      return seed;
    },
    supervisor: { reflector: { random: () => 0 } },
  });
  watchers.push(watcher);
  return { watcher, published, seedReads };
}

describe('Watcher', () => {
  it('starts new providers seeded from observed.v1, and only those', async () => {
    const k1 = new FakeKube();
    const k2 = new FakeKube();
    const a = k1.upsert('mongodbs', db('a'));
    k2.upsert('mongodbs', db('b'));
    const seeded = convert(a, { provider: 'p1', kind: 'MongoDB', containerName: 'mongodb', observedAtMs: 1 });
    const { watcher, published, seedReads } = setup(
      new Map([
        ['p1', k1],
        ['p2', k2],
      ]),
      new Map([['p1', [seeded]]]),
    );
    await watcher.watch([config('p1'), config('p2')]);
    await flush();
    expect(watcher.providerIds()).toEqual(['p1', 'p2']);
    expect(seedReads).toEqual([['p1', 'p2']]);
    expect(published.map((c) => c.key)).toEqual(['p2/ns/MongoDB/b']);
    await watcher.watch([config('p1'), config('p2')]);
    expect(seedReads).toHaveLength(1);
  });

  it('restarts a provider whose revision changed and stops unwatched ones', async () => {
    const kubes = new Map([
      ['p1', new FakeKube()],
      ['p2', new FakeKube()],
    ]);
    const { watcher, seedReads } = setup(kubes);
    await watcher.watch([config('p1'), config('p2')]);
    await watcher.watch([config('p1', '2')]);
    expect(seedReads).toEqual([['p1', 'p2'], ['p1']]);
    await watcher.unwatch(['p2']);
    expect(watcher.providerIds()).toEqual(['p1']);
  });

  it('a provider whose client cannot be built does not keep the others from starting', async () => {
    const { watcher } = setup(new Map([['p2', new FakeKube()]]));
    await watcher.watch([config('p1'), config('p2')]);
    expect(watcher.providerIds()).toEqual(['p2']);
  });

  it('starts unseeded when observed.v1 cannot be read', async () => {
    const kube = new FakeKube();
    kube.upsert('mongodbs', db('a'));
    const published: ObservedChange[] = [];
    const watcher = new Watcher({
      watcherId: 'w',
      clock: new FakeClock(),
      logger,
      observed: { publish: async (c) => void published.push(...c) },
      health: { publish: async () => undefined },
      connect: () => kube,
      readSeed: async () => {
        throw new Error('broker down');
      },
    });
    watchers.push(watcher);
    await watcher.watch([config('p1')]);
    await flush();
    expect(published.map((c) => c.key)).toEqual(['p1/ns/MongoDB/a']);
  });
});
