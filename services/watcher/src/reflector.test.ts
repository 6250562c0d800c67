import { DriftlineError } from '@driftline/shared/errors';
import { afterEach, describe, expect, it } from 'vitest';
import type { WatcherEvent } from './events.ts';
import type { KubeObject, WatchEvent } from './ports.ts';
import { Reflector, watchTimeoutSeconds, type ReflectorOptions, type ReflectorStore } from './reflector.ts';
import { FakeClock, flush } from './testing/fake-clock.ts';
import { FakeKube, goneError } from './testing/fake-kube.ts';

type Call =
  { op: 'replace'; names: string[]; rv: string } | { op: WatchEvent['type']; name: string; rv: string };

function nameOf(o: KubeObject): string {
  return String((o['metadata'] as Record<string, unknown>)['name']);
}
function rvOf(o: KubeObject): string {
  return String((o['metadata'] as Record<string, unknown>)['resourceVersion']);
}

class RecordingStore implements ReflectorStore {
  readonly calls: Call[] = [];
  failNext: unknown[] = [];
  async replace(items: readonly KubeObject[], rv: string): Promise<void> {
    this.calls.push({ op: 'replace', names: items.map(nameOf).sort(), rv });
  }
  async apply(event: WatchEvent): Promise<void> {
    if (this.failNext.length > 0) throw this.failNext.shift();
    this.calls.push({ op: event.type, name: nameOf(event.object), rv: rvOf(event.object) });
  }
}

function db(name: string, replicas = 1): KubeObject {
  return {
    apiVersion: 'kubedb.com/v1',
    kind: 'MongoDB',
    metadata: { name, namespace: 'ns' },
    spec: { replicas },
  };
}

function backoffs(events: WatcherEvent[]): number[] {
  return events.flatMap((e) => (e.type === 'watcher.backoff' ? [e.delayMs] : []));
}

const running: Reflector[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

function setup(overrides: Partial<ReflectorOptions> = {}) {
  const kube = new FakeKube();
  const clock = new FakeClock();
  const store = new RecordingStore();
  const events: WatcherEvent[] = [];
  const reflector = new Reflector({
    provider: 'p1',
    kindPlural: 'mongodbs',
    port: kube,
    store,
    clock,
    random: () => 0,
    pageSize: 2,
    emit: (e) => events.push(e),
    ...overrides,
  });
  running.push(reflector);
  return { kube, clock, store, events, reflector };
}

describe('Reflector', () => {
  it('lists page by page, hands the whole list to the store, then watches from its resourceVersion with bookmarks', async () => {
    const { kube, store, reflector, events } = setup();
    for (const n of ['a', 'b', 'c', 'd', 'e']) kube.upsert('mongodbs', db(n));
    reflector.start();
    await flush();
    expect(kube.listRequests.map((r) => r.options.continue !== undefined)).toEqual([false, true, true]);
    expect(kube.listRequests.every((r) => r.options.limit === 2)).toBe(true);
    expect(store.calls).toEqual([{ op: 'replace', names: ['a', 'b', 'c', 'd', 'e'], rv: '105' }]);
    expect(kube.watchRequests).toHaveLength(1);
    expect(kube.watchRequests[0]?.options).toMatchObject({
      resourceVersion: '105',
      allowWatchBookmarks: true,
    });
    expect(events.find((e) => e.type === 'watcher.list')).toMatchObject({ items: 5, pages: 3 });
    expect(reflector.status()).toMatchObject({ state: 'watching', synced: true, resourceVersion: '105' });
  });

  it('draws watch timeouts from [5, 10) minutes', () => {
    expect(watchTimeoutSeconds(300_000, () => 0)).toBe(300);
    expect(watchTimeoutSeconds(300_000, () => 0.5)).toBe(450);
    expect(watchTimeoutSeconds(300_000, () => 0.9999)).toBe(599);
  });

  it('applies watch events in order and re-watches from the last bookmark after a dropped connection', async () => {
    const { kube, store, reflector, clock } = setup();
    kube.upsert('mongodbs', db('a'));
    reflector.start();
    await flush();
    kube.upsert('mongodbs', db('b'));
    kube.upsert('mongodbs', db('a', 3));
    kube.remove('mongodbs', 'ns', 'b');
    await flush();
    kube.bookmark();
    await flush();
    expect(store.calls.slice(1)).toEqual([
      { op: 'ADDED', name: 'b', rv: '102' },
      { op: 'MODIFIED', name: 'a', rv: '103' },
      { op: 'DELETED', name: 'b', rv: '104' },
    ]);
    kube.upsert('mongodbs', db('zz'));
    kube.dropWatches();
    await flush();
    expect(kube.watchRequests.map((r) => r.options.resourceVersion)).toEqual(['101', '105']);
    expect(kube.listRequests).toHaveLength(1);
    expect(reflector.status().lastBookmarkAtMs).toBe(clock.now());
    // The object changed while the connection was down is replayed by the new watch, once.
    expect(store.calls.filter((c) => c.op !== 'replace' && c.name === 'zz')).toHaveLength(1);
  });

  it('reopens a healthy watch cut by the network at once, without backoff or relist', async () => {
    const { kube, reflector, clock, events } = setup();
    kube.upsert('mongodbs', db('a'));
    reflector.start();
    await flush();
    clock.advance(5000);
    kube.dropWatches(new DriftlineError('K8S_UNAVAILABLE', 'socket hang up'));
    await flush();
    expect(backoffs(events)).toEqual([]);
    expect(kube.watchRequests.map((r) => r.options.resourceVersion)).toEqual(['101', '101']);
    expect(kube.listRequests).toHaveLength(1);
  });

  it('relists at once on a 410 ERROR event after a healthy watch, and counts the gone', async () => {
    const { kube, store, reflector, events, clock } = setup();
    kube.upsert('mongodbs', db('a'));
    reflector.start();
    await flush();
    clock.advance(5000);
    kube.sendError(410, 'Expired');
    await flush();
    expect(kube.listRequests).toHaveLength(2);
    expect(store.calls.filter((c) => c.op === 'replace')).toHaveLength(2);
    expect(reflector.status()).toMatchObject({ gones: 1, relists: 1, state: 'watching' });
    expect(events.map((e) => e.type)).toContain('watcher.gone');
  });

  it('relists when the watch is refused with HTTP 410, and backs off when 410s keep coming', async () => {
    const { kube, reflector, clock, events } = setup();
    kube.goneAs = 'status';
    kube.upsert('mongodbs', db('a'));
    reflector.start();
    await flush();
    clock.advance(5000);
    kube.failNextWatch(goneError());
    kube.failNextWatch(goneError());
    kube.dropWatches();
    await flush();
    expect(backoffs(events)).toEqual([800]);
    clock.advance(800);
    await flush();
    expect(backoffs(events)).toEqual([800, 1600]);
    clock.advance(1600);
    await flush();
    expect(kube.listRequests).toHaveLength(3);
    expect(reflector.status()).toMatchObject({ state: 'watching', gones: 2 });
  });

  it('waits for Retry-After when a 429 asks for longer than the backoff', async () => {
    const { kube, reflector, clock, events } = setup();
    kube.failNextList(
      new DriftlineError('K8S_RATE_LIMITED', 'too many requests', { details: { retryAfterMs: 5000 } }),
    );
    reflector.start();
    await flush();
    expect(backoffs(events)).toEqual([5000]);
    expect(reflector.status().state).toBe('backing-off');
    clock.advanceToNext();
    await flush();
    expect(reflector.status()).toMatchObject({ state: 'watching', synced: true });
  });

  it('grows the backoff on repeated failures and starts over after a healthy period', async () => {
    const { kube, reflector, clock, events } = setup({ watchIdleTimeoutMs: 10_000_000 });
    for (let i = 0; i < 3; i += 1) kube.failNextList(new DriftlineError('K8S_UNAVAILABLE', '500'));
    reflector.start();
    for (let i = 0; i < 3; i += 1) {
      await flush();
      clock.advanceToNext();
    }
    await flush();
    expect(backoffs(events)).toEqual([800, 1600, 3200]);
    expect(reflector.status().state).toBe('watching');
    clock.advance(121_000);
    await flush();
    kube.failNextWatch(new DriftlineError('K8S_UNAVAILABLE', '500', { details: { status: 500 } }));
    kube.failNextWatch(new DriftlineError('K8S_UNAVAILABLE', '500', { details: { status: 500 } }));
    kube.dropWatches(new DriftlineError('K8S_UNAVAILABLE', 'connection reset'));
    await flush();
    clock.advance(800);
    await flush();
    expect(backoffs(events)).toEqual([800, 1600, 3200, 800, 1600]);
  });

  it('reopens a stalled watch from the same resourceVersion after the idle timeout', async () => {
    const { kube, reflector, clock, events } = setup({ watchIdleTimeoutMs: 60_000 });
    kube.upsert('mongodbs', db('a'));
    reflector.start();
    await flush();
    clock.advance(60_000);
    await flush();
    expect(events.some((e) => e.type === 'watcher.watch.closed' && e.reason === 'stalled')).toBe(true);
    clock.advanceToNext(); // the backoff after the stall
    await flush();
    expect(kube.watchRequests.map((r) => r.options.resourceVersion)).toEqual(['101', '101']);
    expect(kube.listRequests).toHaveLength(1);
  });

  it('restarts the LIST from scratch when a continue token expired', async () => {
    const { kube, store, reflector, clock } = setup();
    for (const n of ['a', 'b', 'c']) kube.upsert('mongodbs', db(n));
    const realList = kube.list.bind(kube);
    let first = true;
    kube.list = async (plural, options) => {
      if (options.continue !== undefined && first) {
        first = false;
        throw goneError('continue expired');
      }
      return realList(plural, options);
    };
    reflector.start();
    await flush();
    clock.advanceToNext();
    await flush();
    expect(store.calls).toEqual([{ op: 'replace', names: ['a', 'b', 'c'], rv: '103' }]);
  });

  it('does not advance the resourceVersion past an event the store rejected', async () => {
    const { kube, store, reflector, clock } = setup();
    reflector.start();
    await flush();
    store.failNext.push(new DriftlineError('K8S_UNAVAILABLE', 'queue closed'));
    kube.upsert('mongodbs', db('a'));
    await flush();
    clock.advanceToNext();
    await flush();
    expect(kube.watchRequests.map((r) => r.options.resourceVersion)).toEqual(['100', '100']);
    expect(store.calls.filter((c) => c.op === 'ADDED')).toEqual([{ op: 'ADDED', name: 'a', rv: '101' }]);
  });

  it('turns failed on a programmer error instead of retrying it', async () => {
    const { kube, store, reflector } = setup();
    reflector.start();
    await flush();
    store.failNext.push(new TypeError('bug'));
    kube.upsert('mongodbs', db('a'));
    await flush();
    expect(reflector.status()).toMatchObject({ state: 'failed', lastError: 'bug' });
    expect(kube.watchRequests).toHaveLength(1);
  });

  it('stops: aborts the watch and sends no further request', async () => {
    const { kube, reflector } = setup();
    reflector.start();
    await flush();
    await reflector.stop();
    kube.upsert('mongodbs', db('a'));
    await flush();
    expect(kube.openWatches).toBe(0);
    expect(kube.watchRequests).toHaveLength(1);
    expect(reflector.status().state).toBe('stopped');
  });
});
