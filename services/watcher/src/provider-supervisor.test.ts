import type { ObservedDatabase, ProviderHealth } from '@driftline/schemas';
import { DriftlineError } from '@driftline/shared/errors';
import { createLogger } from '@driftline/shared/logging';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { convert } from './converter.ts';
import type { WatcherEvent } from './events.ts';
import type { KubeObject } from './ports.ts';
import {
  ProviderSupervisor,
  type ObservedChange,
  type ProviderSupervisorOptions,
} from './provider-supervisor.ts';
import { passthroughGate } from './reflector.ts';
import { FakeClock, flush } from './testing/fake-clock.ts';
import { FakeKube } from './testing/fake-kube.ts';

function db(name: string, replicas = 3, namespace = 'ns'): KubeObject {
  return {
    apiVersion: 'kubedb.com/v1',
    kind: 'MongoDB',
    metadata: { name, namespace, uid: `uid-${name}` },
    spec: { version: '7.0.8', replicas, storage: { resources: { requests: { storage: '10Gi' } } } },
    status: { phase: 'Ready' },
  };
}

class MemorySink {
  readonly published: ObservedChange[] = [];
  readonly health: ProviderHealth[] = [];
  failures: unknown[] = [];
  blocked: Promise<void> | undefined;
  async publish(changes: readonly ObservedChange[]): Promise<void> {
    if (this.blocked !== undefined) await this.blocked;
    if (this.failures.length > 0) throw this.failures.shift();
    this.published.push(...changes);
  }
}

const lines: string[] = [];
const logger = createLogger({
  service: 'watcher-test',
  level: 'info',
  destination: new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  }),
});

const running: ProviderSupervisor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  lines.length = 0;
});

function setup(overrides: Partial<ProviderSupervisorOptions> = {}) {
  const kube = new FakeKube();
  const clock = new FakeClock();
  const sink = new MemorySink();
  const events: WatcherEvent[] = [];
  const options: ProviderSupervisorOptions = {
    provider: { id: 'p1', kinds: ['MongoDB', 'Postgres'], namespaces: [] },
    port: kube,
    observed: sink,
    health: { publish: async (h) => void sink.health.push(h) },
    watcherId: 'w1',
    clock,
    logger,
    emit: (e) => events.push(e),
    gate: passthroughGate,
    reflector: { random: () => 0, pageSize: 2 },
    ...overrides,
  };
  const supervisor = new ProviderSupervisor(options);
  running.push(supervisor);
  return { kube, clock, sink, events, supervisor };
}

describe('ProviderSupervisor', () => {
  it('publishes every object of every kind exactly once, then health with the resync', async () => {
    const { kube, sink, supervisor } = setup();
    for (const n of ['a', 'b', 'c']) kube.upsert('mongodbs', db(n));
    kube.upsert('postgreses', { ...db('pg1'), kind: 'Postgres' });
    supervisor.start();
    await flush();
    expect(sink.published.map((c) => c.key).sort()).toEqual([
      'p1/ns/MongoDB/a',
      'p1/ns/MongoDB/b',
      'p1/ns/MongoDB/c',
      'p1/ns/Postgres/pg1',
    ]);
    const status = supervisor.status();
    expect(status).toMatchObject({ synced: true, stuck: false });
    expect(status.health).toMatchObject({
      provider: 'p1',
      watcherId: 'w1',
      connected: true,
      circuit: 'closed',
    });
    expect(sink.health.at(-1)?.lastResyncAtMs).not.toBeNull();
    kube.upsert('mongodbs', db('a', 5));
    kube.remove('mongodbs', 'ns', 'b');
    await flush();
    expect(sink.published.slice(4).map((c) => [c.key, c.value?.replicas ?? null])).toEqual([
      ['p1/ns/MongoDB/a', 5],
      ['p1/ns/MongoDB/b', null],
    ]);
  });

  it('publishes only differences against the seed (what observed.v1 already holds)', async () => {
    const kube = new FakeKube();
    const a = kube.upsert('mongodbs', db('a'));
    const b = kube.upsert('mongodbs', db('b'));
    const seed: ObservedDatabase[] = [a, b].map((o) =>
      convert(o, { provider: 'p1', kind: 'MongoDB', containerName: 'mongodb', observedAtMs: 1 }),
    );
    seed.push({ ...(seed[0] as ObservedDatabase), key: 'p1/ns/MongoDB/vanished', name: 'vanished' });
    kube.upsert('mongodbs', db('b', 7));
    const { sink, supervisor } = setup({
      port: kube,
      seed,
      provider: { id: 'p1', kinds: ['MongoDB'], namespaces: [] },
    });
    supervisor.start();
    await flush();
    expect(sink.published.map((c) => [c.key, c.value === null ? 'tombstone' : c.value.replicas])).toEqual([
      ['p1/ns/MongoDB/vanished', 'tombstone'],
      ['p1/ns/MongoDB/b', 7],
    ]);
  });

  it('publishes a malformed object flagged invalid, with a log line and an event', async () => {
    const { kube, sink, supervisor, events } = setup();
    kube.upsert('mongodbs', { ...db('bad'), spec: { version: '7', replicas: 'three' } });
    supervisor.start();
    await flush();
    expect(sink.published[0]?.value).toMatchObject({ valid: false, key: 'p1/ns/MongoDB/bad' });
    expect(events.some((e) => e.type === 'watcher.invalid')).toBe(true);
    const line = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['key'] === 'p1/ns/MongoDB/bad');
    expect(line?.['invalidReason']).toContain('spec.replicas');
  });

  it('retries a failed publish with backoff and loses nothing', async () => {
    const { kube, sink, supervisor, clock } = setup();
    kube.upsert('mongodbs', db('a'));
    sink.failures.push(
      new DriftlineError('KAFKA_UNAVAILABLE', 'down'),
      new DriftlineError('KAFKA_UNAVAILABLE', 'down'),
    );
    supervisor.start();
    await flush();
    expect(sink.published).toEqual([]);
    clock.advance(2000);
    await flush();
    clock.advance(4000);
    await flush();
    expect(sink.published.map((c) => c.key)).toEqual(['p1/ns/MongoDB/a']);
  });

  it('bounds its queue: a blocked publisher stops the reflector instead of buffering', async () => {
    let release = (): void => undefined;
    const { kube, sink, supervisor } = setup({ queueCapacity: 3, batchSize: 1 });
    sink.blocked = new Promise<void>((resolve) => (release = resolve));
    supervisor.start();
    await flush();
    for (let i = 0; i < 20; i += 1) kube.upsert('mongodbs', db(`d${i}`));
    await flush();
    expect(supervisor.status().queueDepth).toBeLessThanOrEqual(3);
    release();
    sink.blocked = undefined;
    await flush(60);
    expect(new Set(sink.published.map((c) => c.key)).size).toBe(20);
    expect(sink.published).toHaveLength(20);
  });

  it("isolates providers: one provider's stuck publishing never delays another's events", async () => {
    const slow = setup({ provider: { id: 'slow', kinds: ['MongoDB'], namespaces: [] } });
    const fast = setup({ provider: { id: 'fast', kinds: ['MongoDB'], namespaces: [] } });
    slow.sink.blocked = new Promise<void>(() => undefined);
    slow.kube.upsert('mongodbs', db('x'));
    fast.kube.upsert('mongodbs', db('y'));
    slow.supervisor.start();
    fast.supervisor.start();
    await flush();
    fast.kube.upsert('mongodbs', db('z'));
    await flush();
    expect(fast.sink.published.map((c) => c.key)).toEqual(['fast/ns/MongoDB/y', 'fast/ns/MongoDB/z']);
    expect(slow.sink.published).toEqual([]);
    slow.sink.blocked = undefined;
    running.splice(running.indexOf(slow.supervisor), 1);
    void slow.supervisor.stop();
  });

  it('opens its own circuit after repeated failures and reports it in health', async () => {
    const { kube, supervisor, clock, sink } = setup({
      gate: undefined,
      provider: { id: 'p1', kinds: ['MongoDB'], namespaces: [] },
      policies: {
        requestTimeoutMs: 5000,
        ratePerSecond: 1000,
        burst: 1000,
        circuitFailures: 2,
        circuitHalfOpenAfterMs: 60_000,
      },
    });
    for (let i = 0; i < 3; i += 1) kube.failNextList(new DriftlineError('K8S_UNAVAILABLE', '500'));
    supervisor.start();
    for (let i = 0; i < 3; i += 1) {
      await flush();
      clock.advance(3000);
    }
    await flush();
    expect(supervisor.status().health.circuit).toBe('open');
    expect(sink.health.some((h) => h.circuit === 'open')).toBe(true);
  });

  it('watches each listed namespace separately', async () => {
    const { kube, supervisor, sink } = setup({
      provider: { id: 'p1', kinds: ['MongoDB'], namespaces: ['a', 'b'] },
    });
    kube.upsert('mongodbs', db('x', 1, 'a'));
    kube.upsert('mongodbs', db('y', 1, 'b'));
    kube.upsert('mongodbs', db('z', 1, 'c'));
    supervisor.start();
    await flush();
    expect(kube.listRequests.map((r) => r.options.namespace)).toEqual(['a', 'b']);
    expect(sink.published.map((c) => c.key).sort()).toEqual(['p1/a/MongoDB/x', 'p1/b/MongoDB/y']);
  });

  it('reports itself stuck when a watch delivers nothing for twice the idle timeout', async () => {
    const { kube, supervisor, clock } = setup({
      provider: { id: 'p1', kinds: ['MongoDB'], namespaces: [] },
      reflector: { random: () => 0, watchIdleTimeoutMs: 10_000 },
    });
    supervisor.start();
    await flush();
    expect(supervisor.status().stuck).toBe(false);
    // The API server stops answering: the stalled watch is abandoned, its reopening hangs.
    kube.watch = () => new Promise(() => undefined);
    clock.advance(10_000);
    await flush();
    clock.advance(2000);
    await flush();
    expect(supervisor.status().stuck).toBe(false);
    clock.advance(20_001);
    expect(supervisor.status().stuck).toBe(true);
    expect(supervisor.status().health.connected).toBe(false);
  });
});
